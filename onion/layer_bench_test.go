package onion

import (
	"testing"

	"lukechampine.com/adiantum"
)

// BenchmarkLayerAdiantum is the cells v1 baseline: one Adiantum
// (XChaCha12, AES-256, NH/Poly1305) encryption of a 509-byte body under a
// 24-byte tweak, what each v1 layer operation cost.
func BenchmarkLayerAdiantum(b *testing.B) {
	c := adiantum.New(make([]byte, 32))
	var body [BodySize]byte
	var tweak [24]byte
	b.SetBytes(BodySize)
	b.ReportAllocs()
	for b.Loop() {
		c.Encrypt(body[:], tweak[:])
	}
}

// BenchmarkLayerFast: the operation relays run (remove a forward layer, add
// a backward one).
func BenchmarkLayerFast(b *testing.B) {
	keys := [wbKeys]byte{1}
	wb := newWideBlock(&keys)
	var body [BodySize]byte
	var tw [wbTweakSize]byte
	b.SetBytes(BodySize)
	b.ReportAllocs()
	for b.Loop() {
		wb.fast(&body, &tw)
	}
}

// BenchmarkLayerSlow: the operation the client runs (add a forward layer,
// remove a backward one).
func BenchmarkLayerSlow(b *testing.B) {
	keys := [wbKeys]byte{1}
	wb := newWideBlock(&keys)
	var body [BodySize]byte
	var tw [wbTweakSize]byte
	b.SetBytes(BodySize)
	b.ReportAllocs()
	for b.Loop() {
		wb.slow(&body, &tw)
	}
}
