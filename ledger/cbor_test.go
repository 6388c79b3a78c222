package ledger

import (
	"encoding/base64"
	"runtime"
	"testing"
)

// TestDecodeTokenNestedCounts: nested arrays and maps that each claim as
// many items as there are bytes left make the decoder allocate no more
// than a small multiple of the token's size, however deep they nest.
func TestDecodeTokenNestedCounts(t *testing.T) {
	const size = 600 << 10
	for _, major := range []byte{cborArray, cborMap} {
		e := &cborEnc{}
		for range cborMaxDepth + 1 {
			left := uint64(size - len(e.buf) - 5) // bytes after this 5-byte head
			if major == cborMap {
				e.head(cborMap, left/2)
				e.text("k")
			} else {
				e.head(cborArray, left)
			}
		}
		for len(e.buf) < size {
			e.buf = append(e.buf, 0)
		}
		tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(e.buf)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := DecodeToken(tok); err == nil {
			t.Fatal("junk token decoded")
		}
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > 64*size {
			t.Errorf("major type %d: decoding a %d-byte token allocated %d MiB", major, size, got>>20)
		}
	}
}
