package overlay

import (
	"bytes"
	"testing"
)

// FuzzParseDescriptor: any bytes either fail to parse or parse to a
// descriptor that re-encodes to the same bytes.
func FuzzParseDescriptor(f *testing.F) {
	_, raw := testDescriptor(f, 1, nil)
	f.Add(raw)
	_, raw = testDescriptor(f, 2, func(d *Descriptor) { d.Family = "fam"; d.Addrs = nil })
	f.Add(raw)
	f.Add([]byte("ccd1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDescriptor(b)
		if err != nil {
			return
		}
		again, err := d.Marshal()
		if err != nil {
			t.Fatalf("parsed descriptor does not marshal: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip changed bytes:\n%x\n%x", b, again)
		}
		_, _ = VerifyDescriptor(b, "", testNow)
	})
}
