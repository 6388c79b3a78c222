package onion

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// BenchmarkLayer: one Adiantum layer over one 509-byte body.
func BenchmarkLayer(b *testing.B) {
	l, _ := testLayers(1)
	var body [BodySize]byte
	b.SetBytes(BodySize)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		l.encrypt(&body, CmdRelay)
	}
	done()
}

// BenchmarkRelayForward: CPU per forward cell at a middle relay (peel one
// layer, check the tag, rewrite the header, emit the send action).
func BenchmarkRelayForward(b *testing.B) {
	s := newSim(b, 2, 5)
	s.build(2)
	r, from := s.relays[0], s.link(-1, 0)
	var cell Cell
	cell.SetHeader(s.client.CircID(), CmdRelay)
	acts := make([]Action, 0, 4)
	b.SetBytes(CellSize)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		acts, _ = r.HandleCell(time.Time{}, from, &cell, acts[:0])
	}
	done()
}

// BenchmarkRelayBackward: CPU per backward cell at a middle relay.
func BenchmarkRelayBackward(b *testing.B) {
	s := newSim(b, 2, 6)
	s.build(2)
	r, from := s.relays[0], s.link(0, 1)
	c := r.circs[CircRef{s.link(-1, 0), s.client.CircID()}]
	var cell Cell
	cell.SetHeader(c.next.CircID, CmdRelay)
	acts := make([]Action, 0, 4)
	b.SetBytes(CellSize)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		acts, _ = r.HandleCell(time.Time{}, from, &cell, acts[:0])
	}
	done()
}

// BenchmarkHandshake: one full NK handshake, client and relay sides.
func BenchmarkHandshake(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{7})
	key, _ := GenerateOnionKey(rng)
	id := []byte("relay")
	replay := &MemoryReplaySet{Max: 1024}
	b.ReportAllocs()
	for b.Loop() {
		hs, create, _ := StartHandshake(rng, id, key.Public)
		reply, _, err := respondHandshake(rng, id, key, create[KeyIDSize:], replay)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := hs.Finish(reply); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCryptoBound: the client's cost to wrap one DATA cell for 4 hops,
// the ceiling on single-circuit throughput from crypto alone (MB/s).
func BenchmarkCryptoBound(b *testing.B) {
	s := newSim(b, 4, 8)
	s.build(4)
	data := make([]byte, MaxRelayData)
	out := make([]Cell, 0, 1)
	b.SetBytes(MaxRelayData)
	b.ReportAllocs()
	done := cpuPerOp(b)
	for b.Loop() {
		out = s.client.send(3, RelayMsg{Cmd: RelayData, StreamID: 1, Data: data}, out[:0])
	}
	done()
}

// BenchmarkCircuitMemory opens 10k circuits at a relay and reports the heap
// bytes each one holds.
func BenchmarkCircuitMemory(b *testing.B) {
	const n = 10000
	r, spec, rng := testRelay(b, 9, RelayConfig{MaxCircuitsPerLink: n})
	creates := make([]*Cell, n)
	for i := range creates {
		_, creates[i], _ = NewClientCircuit(rng, uint32(i+1), spec)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	acts := make([]Action, 0, 1)
	for i := range creates {
		acts, _ = r.HandleCell(time.Time{}, 1, creates[i], acts[:0])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if r.Circuits() != n {
		b.Fatalf("%d circuits open", r.Circuits())
	}
	for b.Loop() {
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/circuit")
	runtime.KeepAlive(r)
}
