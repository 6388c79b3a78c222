package overlay

import (
	"errors"
	"testing"
	"time"
)

func TestDirectoryCodec(t *testing.T) {
	t.Parallel()
	var descs []*Descriptor
	for i := range 5 {
		d, _ := testDescriptor(t, byte(40+i), nil)
		descs = append(descs, d)
	}
	b, err := EncodeDirectory(descs)
	if err != nil {
		t.Fatal(err)
	}
	raws, err := DecodeDirectory(b)
	if err != nil || len(raws) != 5 {
		t.Fatalf("decode: %d entries, %v", len(raws), err)
	}
	dir := newTestDirectory(func() time.Time { return testNow })
	for _, r := range raws {
		if _, err := dir.Add(r, ""); err != nil {
			t.Fatal(err)
		}
	}
	if dir.Len() != 5 {
		t.Fatalf("directory holds %d", dir.Len())
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-1],
		"trailing":  append(append([]byte(nil), b...), 0),
		"too many":  {0xff, 0xff},
		"oversized": {0, 1, 0xff, 0xff},
	} {
		if _, err := DecodeDirectory(bad); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, ErrDescriptorMalformed) && !errors.Is(err, ErrDescriptorTooLarge) {
			t.Errorf("%s: unexpected error %v", name, err)
		}
	}
}
