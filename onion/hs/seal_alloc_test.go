package hs

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
)

// A DHT peer sends many short values whose length field claims 64 KiB: the
// validator must refuse each without allocating what the field claims.
func TestVerifyOuterIgnoresClaimedLength(t *testing.T) {
	b := make([]byte, outerHeaderLen+10)
	b[0] = DescriptorVersion
	binary.BigEndian.PutUint16(b[outerHeaderLen-2:], 0xFFFF)
	const runs = 200
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := VerifyOuter(b); !errors.Is(err, ErrMalformed) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 4096 {
		t.Fatalf("%d bytes allocated per refused value", per)
	}
}
