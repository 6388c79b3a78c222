package overlay

import (
	"crypto/rand"
	"runtime"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// middleHarness is one real Onion (on a real host) with two fake links:
// A towards a sans-IO client, B towards a sans-IO next relay. Cells are
// handed in with handleCells and taken out of the link queues, so the
// measurements cover the IO layer's own per-cell work (lock, dispatch,
// relay crypto, queueing) but not libp2p.
type middleHarness struct {
	o      *Onion
	a, b   *link
	client *onion.ClientCircuit
	next   *onion.Relay
}

// newTestOnion is an Onion on a real host that listens nowhere.
func newTestOnion(tb testing.TB, cfg OnionConfig) *Onion {
	tb.Helper()
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	ov, err := New(Config{Identity: id})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ov.Close() })
	o, err := NewOnion(ov, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// fakeLink is a link with no stream: tests read its queue directly.
func fakeLink(o *Onion, id onion.LinkID, p peer.ID) *link {
	l := &link{id: id, peer: p, o: o, wake: make(chan struct{}, 1), done: make(chan struct{})}
	o.links[id] = l
	return l
}

func newMiddleHarness(tb testing.TB) *middleHarness {
	tb.Helper()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(tb, OnionConfig{Keys: []*onion.OnionKey{key}, MaxCircuitsPerLink: 1 << 20,
		Limits: RelayLimits{PeerCreateRate: 1e9, PeerCreateBurst: 1 << 30, MaxCircuits: 1 << 20}})
	ov := o.ov
	nextID, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	nextPeer, _ := peer.IDFromPrivateKey(nextID)
	nextKey, _ := onion.GenerateOnionKey(rand.Reader)
	next, _ := onion.NewRelay(onion.RelayConfig{Identity: []byte(nextPeer), OnionKeys: []*onion.OnionKey{nextKey}})
	knownRelay(tb, o, nextID, nextKey)
	h := &middleHarness{o: o, next: next, a: fakeLink(o, 1, "client"), b: fakeLink(o, 2, nextPeer)}
	h.b.weDialed, o.byPeer[nextPeer] = true, h.b
	cc, create, _ := onion.NewClientCircuit(rand.Reader, 5, onion.HopSpec{Identity: []byte(ov.ID()), OnionKey: key.Public})
	h.client = cc
	h.toMiddle(*create)
	h.toClient()
	cells, _ := cc.Extend(onion.HopSpec{Identity: []byte(nextPeer), OnionKey: nextKey.Public}, nil)
	h.toMiddle(cells...)
	for h.queued(h.b) == 0 {
		runtime.Gosched() // the EXTEND is attached by a goroutine
	}
	for _, c := range h.take(h.b) {
		acts, _ := next.HandleCell(o.now, 1, &c, nil)
		for _, a := range acts {
			h.o.handleCells(h.b, []onion.Cell{a.Cell})
		}
	}
	h.toClient()
	if cc.Hops() != 2 {
		tb.Fatalf("harness circuit has %d hops", cc.Hops())
	}
	return h
}

// knownRelay puts a relay's signed descriptor in o's directory: relays
// extend only to peers they know.
func knownRelay(tb testing.TB, o *Onion, id crypto.PrivKey, key *onion.OnionKey) {
	tb.Helper()
	d := &Descriptor{Roles: RoleRelay, OnionKey: key.Public, Seq: 1, Expiry: time.Now().Add(time.Hour)}
	if err := d.Sign(id); err != nil {
		tb.Fatal(err)
	}
	raw, err := d.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := o.ov.dir.Add(raw, d.Peer); err != nil {
		tb.Fatal(err)
	}
}

func (h *middleHarness) toMiddle(cells ...onion.Cell) { h.o.handleCells(h.a, cells) }

func (h *middleHarness) queued(l *link) int {
	h.o.creating.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.q)
}

func (h *middleHarness) take(l *link) []onion.Cell {
	h.o.creating.Wait()
	return l.takeQueued()
}

// drain empties l's queue as its writer does (writeLoop): it swaps the
// queue out and uncounts it, copying nothing. It returns how many cells
// there were. (take copies them out for tests that look at them; in the
// per-cell benchmark that copy and its garbage were a third of the time.)
func (h *middleHarness) drain(l *link) int {
	h.o.creating.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.q)
	l.uncount(l.q)
	l.q, l.at = l.q[:0], l.at[:0]
	return n
}

func (h *middleHarness) toClient() {
	for _, c := range h.take(h.a) {
		h.client.HandleCell(&c, nil)
	}
}

// BenchmarkMiddleRelayCell: CPU per cell forwarded by a middle relay's IO
// layer, in batches of readBatch as the read loop hands them over. The
// sans-IO part alone is onion's BenchmarkRelayForward (the baseline).
func BenchmarkMiddleRelayCell(b *testing.B) {
	h := newMiddleHarness(b)
	h.toMiddle(h.client.PadEarly(nil)...) // the rest are plain RELAY cells
	h.take(h.b)
	batch := make([]onion.Cell, readBatch)
	for i := range batch {
		cells, _ := h.client.SendRelay(2, onion.RelayMsg{Cmd: onion.RelayDrop}, nil)
		batch[i] = cells[0]
	}
	b.SetBytes(onion.CellSize)
	b.ReportAllocs()
	n, forwarded := 0, 0
	done := cpuPerOp(b)
	for b.Loop() {
		if n%readBatch == 0 {
			h.toMiddle(batch...)
			forwarded += h.drain(h.b)
		}
		n++
	}
	done()
	if forwarded < n || len(h.o.RelayedCircuits()) != 1 {
		b.Fatalf("forwarded %d of %d cells; circuit open: %v", forwarded, n, len(h.o.RelayedCircuits()) == 1)
	}
}

// BenchmarkRelayCircuitMemory: heap held per open circuit at a relay,
// onion state plus this layer's circuit table, over 20000 circuits.
func BenchmarkRelayCircuitMemory(b *testing.B) {
	h := newMiddleHarness(b)
	const n = 20000
	creates := make([]onion.Cell, n)
	for i := range creates {
		_, c, _ := onion.NewClientCircuit(rand.Reader, uint32(i+100), onion.HopSpec{Identity: []byte(h.o.ov.ID()), OnionKey: h.o.relay.OnionKeys()[0].Public})
		creates[i] = *c
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i += readBatch {
		h.toMiddle(creates[i:min(n, i+readBatch)]...)
		h.take(h.a)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := len(h.o.RelayedCircuits()); got != n+1 {
		b.Fatalf("%d circuits", got)
	}
	for b.Loop() {
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/circuit")
}
