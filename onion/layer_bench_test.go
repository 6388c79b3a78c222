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
	done := cpuPerOp(b)
	for b.Loop() {
		c.Encrypt(body[:], tweak[:])
	}
	done()
}

// BenchmarkLayerFast: the operation the client runs (add a forward layer,
// remove a backward one).
func BenchmarkLayerFast(b *testing.B) {
	keys := [wbKeys]byte{1}
	wb := newWideBlock(&keys)
	var body [BodySize]byte
	var tw [wbTweakSize]byte
	b.SetBytes(BodySize)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		wb.fast(&body, &tw)
	}
	done()
}

// BenchmarkLayerSlow: the operation relays run (remove a forward layer, add
// a backward one): the non-malleable direction.
func BenchmarkLayerSlow(b *testing.B) {
	keys := [wbKeys]byte{1}
	wb := newWideBlock(&keys)
	var body [BodySize]byte
	var tw [wbTweakSize]byte
	b.SetBytes(BodySize)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		wb.slow(&body, &tw)
	}
	done()
}

// BenchmarkPathCryptoBound: one relay cell from the client through every
// hop of a 4-hop circuit, in one goroutine with no IO and no queue: the
// client's 4 layers, then each relay's HandleCell (the last recognizes the
// cell). The path's crypto bound, in MB/s of relay data per core.
func BenchmarkPathCryptoBound(b *testing.B) {
	s := newSim(b, 4, 8)
	s.build(4)
	s.cells = s.client.PadEarly(s.cells[:0])
	s.clientSend()
	s.drain()
	links := []LinkID{s.link(-1, 0), s.link(0, 1), s.link(1, 2), s.link(2, 3)}
	cells := make([]Cell, 0, 1)
	acts := make([]Action, 0, 4)
	m := RelayMsg{Cmd: RelayDrop, Data: make([]byte, MaxRelayData)}
	var cell Cell
	// DROP is unwindowed: the last hop closes a circuit that carries more
	// than MaxUnwindowedCells of them, so the benchmark forgives its count.
	var last *relayCirc
	for _, c := range s.relays[3].circs {
		last = c
	}
	b.SetBytes(MaxRelayData)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		last.free = 0
		cells, _ = s.client.SendRelay(4, m, cells[:0])
		cell = cells[0]
		for i, r := range s.relays {
			var err error
			if acts, err = r.HandleCell(s.now, links[i], &cell, acts[:0]); err != nil {
				b.Fatal(err)
			}
			if len(acts) > 0 {
				cell = acts[0].Cell
			}
		}
	}
	done()
}
