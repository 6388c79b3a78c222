package overlay

import (
	"bytes"
	"encoding/binary"
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

// FuzzDecodeDirectory: a directory answer either fails to decode or
// re-encodes, entry by entry, to the same bytes.
func FuzzDecodeDirectory(f *testing.F) {
	d1, _ := testDescriptor(f, 1, nil)
	d2, _ := testDescriptor(f, 2, func(d *Descriptor) { d.Family = "x" })
	seed, err := EncodeDirectory([]*Descriptor{d1, d2})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{0, 0})
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		raws, err := DecodeDirectory(b)
		if err != nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(raws)))
		for _, r := range raws {
			out = binary.BigEndian.AppendUint16(out, uint16(len(r)))
			out = append(out, r...)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip changed bytes")
		}
	})
}
