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

// BenchmarkPathCryptoBound: bulk data from the client to the destination of
// a 4-hop circuit with everything sans-IO in one goroutine (the client's 4
// layers, each relay's, the destination, the SENDMEs back): the path's
// crypto bound without IO, in MB/s of stream data.
func BenchmarkPathCryptoBound(b *testing.B) {
	s := newSim(b, 4, 8)
	s.build(4)
	s.cells = s.client.PadEarly(s.cells[:0])
	s.clientSend()
	id := s.begin("svc")
	data := make([]byte, 64*MaxRelayData)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s.clientOut[id] = data
		s.drain()
	}
	if s.clientErr != nil || len(s.relayErrs) > 0 {
		b.Fatal(s.clientErr, s.relayErrs)
	}
}
