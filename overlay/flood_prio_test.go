package overlay

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestCreateQueueStanding: attacker = many fresh neighbours (Sybils: a key
// pair each) flooding the handshake queue while a neighbour whose circuits
// already work through us (a client's guard link, a relay neighbour)
// builds another. Tor gives its onionskin queue per-channel fairness; the
// issue asks priority for neighbours with established circuits. A
// neighbour holding, for standingAge, circuits that carried cells beyond
// their handshake (here: extended onward) is served before fresh ones; a
// neighbour that only built circuits, or built them too recently, or
// closed them, is not; fresh neighbours keep one turn in prioShare+1; and
// standing buys at most maxStanding turns in a row. On the old queue the
// established neighbour's CREATE waited one turn per fresh neighbour.
func TestCreateQueueStanding(t *testing.T) {
	t.Parallel()
	const fresh = 20
	for _, tc := range []struct {
		name string
		// setup gives the established neighbour (and "other") circuits
		setup       func(h *prioHarness, est, other *link)
		aged        bool // the CREATEs come standingAge after the setup
		fresh       int  // fresh neighbours' CREATEs queued each
		est, others int  // the established neighbour's and the other's
		check       func(order []peer.ID) error
	}{
		{name: "carried circuit held past standingAge: served first", aged: true, fresh: 5, est: 1,
			setup: func(h *prioHarness, est, _ *link) { h.carried(est) },
			check: func(order []peer.ID) error { return wantAt(order, "established", 0) }},
		{name: "carried circuit held briefly: in turn", fresh: 5, est: 1,
			setup: func(h *prioHarness, est, _ *link) { h.carried(est) },
			check: func(order []peer.ID) error { return wantAt(order, "established", fresh) }},
		{name: "circuit built, never carried: in turn", aged: true, fresh: 5, est: 1,
			setup: func(h *prioHarness, est, _ *link) { h.built(est) },
			check: func(order []peer.ID) error { return wantAt(order, "established", fresh) }},
		{name: "carried circuit closed: in turn", aged: true, fresh: 5, est: 1,
			setup: func(h *prioHarness, est, _ *link) { h.destroy(est, h.carried(est)) },
			check: func(order []peer.ID) error { return wantAt(order, "established", fresh) }},
		{name: "fresh neighbours keep one turn in prioShare+1", aged: true, fresh: 2, est: 40,
			setup: func(h *prioHarness, est, _ *link) { h.carried(est) },
			check: func(order []peer.ID) error {
				for i, p := range order[:40] {
					if isFresh := p != "established"; isFresh != (i%(prioShare+1) == prioShare) {
						return fmt.Errorf("turn %d went to %s; want %d established turns, then one fresh", i, p, prioShare)
					}
				}
				return nil
			}},
		{name: "standing capped at maxStanding turns in a row", aged: true, est: 20, others: 20,
			setup: func(h *prioHarness, est, other *link) {
				for range maxStanding + 2 {
					h.carried(est)
				}
				h.carried(other)
			},
			check: func(order []peer.ID) error {
				for i, p := range order[:20] {
					if want := peer.ID("established"); i%(maxStanding+1) == maxStanding {
						want = "other"
						if p != want {
							return fmt.Errorf("turn %d went to %s, want %s: order %v", i, p, want, order[:20])
						}
					} else if p != want {
						return fmt.Errorf("turn %d went to %s, want %s: order %v", i, p, want, order[:20])
					}
				}
				return nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newPrioHarness(t)
			est, other := fakeLink(h.o, 1, "established"), fakeLink(h.o, 2, "other")
			tc.setup(h, est, other)
			var floods []*link
			for i := range fresh {
				floods = append(floods, fakeLink(h.o, onion.LinkID(10+i), peer.ID(fmt.Sprintf("fresh%02d", i))))
			}
			o, q := h.o, h.o.pool.jobs
			o.mu.Lock()
			if o.now = o.clock(); tc.aged {
				o.now = o.now.Add(standingAge)
			}
			h.create(fakeLink(o, 9, "blocker"))
			for q.len() > 0 { // the one worker takes it, then waits for o.mu
				runtime.Gosched()
			}
			for range tc.fresh {
				for _, l := range floods {
					h.create(l)
				}
			}
			for range tc.est {
				h.create(est)
			}
			for range tc.others {
				h.create(other)
			}
			var order []peer.ID
			for q.len() > 0 {
				<-q.ready
				j := q.pop()
				order = append(order, j.l.peer)
				o.dropCreate(j, true)
			}
			o.unlock()
			o.creating.Wait()
			if want := tc.fresh*fresh + tc.est + tc.others; len(order) != want {
				t.Fatalf("%d CREATEs served, want %d", len(order), want)
			}
			if err := tc.check(order); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// wantAt checks that p's first turn in order is at position i.
func wantAt(order []peer.ID, p peer.ID, i int) error {
	for k, q := range order {
		if q == p {
			if k != i {
				return fmt.Errorf("%s first served at turn %d, want %d", p, k, i)
			}
			return nil
		}
	}
	return fmt.Errorf("%s never served", p)
}

// prioHarness is a relay with one handshake worker and one known next
// relay, reached on a fake link, for building circuits that extend.
type prioHarness struct {
	t        *testing.T
	o        *Onion
	key      *onion.OnionKey
	nextPeer peer.ID
	nextKey  *onion.OnionKey
	next     *link
	ids      map[*link]uint32
}

func newPrioHarness(t *testing.T) *prioHarness { return newPrioHarnessClock(t, nil) }

// newPrioHarnessClock is newPrioHarness on clock (nil: the default).
func newPrioHarnessClock(t *testing.T, clock func() time.Time) *prioHarness {
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, MaxCircuitsPerLink: 1000, Clock: clock,
		Limits: RelayLimits{HandshakeWorkers: 1, HandshakeQueue: 1 << 12, PeerCreateRate: 1e6, PeerCreateBurst: 1 << 16}})
	nextID, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	nextPeer, _ := peer.IDFromPrivateKey(nextID)
	nextKey, _ := onion.GenerateOnionKey(rand.Reader)
	knownRelay(t, o, nextID, nextKey)
	next := fakeLink(o, 1000, nextPeer)
	next.weDialed, o.byPeer[nextPeer] = true, next
	return &prioHarness{t: t, o: o, key: key, nextPeer: nextPeer, nextKey: nextKey, next: next, ids: map[*link]uint32{}}
}

// create hands the relay a CREATE from l, as handleCell does; o.mu held.
func (h *prioHarness) create(l *link) {
	h.ids[l]++
	_, c, err := onion.NewClientCircuit(rand.Reader, h.ids[l], onion.HopSpec{Identity: []byte(h.o.ov.ID()), OnionKey: h.key.Public})
	if err != nil {
		h.t.Fatal(err)
	}
	h.o.onCreate(l, c)
}

// built builds a one-hop circuit from l and returns its client end.
func (h *prioHarness) built(l *link) *onion.ClientCircuit {
	h.ids[l]++
	cc, create, err := onion.NewClientCircuit(rand.Reader, h.ids[l], onion.HopSpec{Identity: []byte(h.o.ov.ID()), OnionKey: h.key.Public})
	if err != nil {
		h.t.Fatal(err)
	}
	h.o.handleCells(l, []onion.Cell{*create})
	h.o.creating.Wait()
	for _, c := range l.takeQueued() {
		cc.HandleCell(&c, nil)
	}
	return cc
}

// carried builds a circuit from l and extends it to the next relay: a
// circuit that carried a cell beyond its handshake. It returns its ID.
func (h *prioHarness) carried(l *link) uint32 {
	cc := h.built(l)
	cells, err := cc.Extend(onion.HopSpec{Identity: []byte(h.nextPeer), OnionKey: h.nextKey.Public}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.o.handleCells(l, cells)
	for h.next.queuedLen() == 0 {
		runtime.Gosched() // the EXTEND is attached by a goroutine
	}
	h.next.takeQueued()
	return h.ids[l]
}

// destroy closes l's circuit id from the client side.
func (h *prioHarness) destroy(l *link, id uint32) {
	c, err := onion.NewDestroyCell(rand.Reader, id, onion.ReasonRequested)
	if err != nil {
		h.t.Fatal(err)
	}
	h.o.handleCells(l, []onion.Cell{*c})
}

// The status counter creates_standing counts the CREATEs answered for
// neighbours with standing, and only those: a neighbour's CREATEs count
// once its carried circuit is standingAge old, a fresh neighbour's never.
func TestCreatesStandingCounted(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Unix(1_800_000_000, 0)
	h := newPrioHarnessClock(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	est, fresh := fakeLink(h.o, 1, "established"), fakeLink(h.o, 2, "fresh")
	h.carried(est)
	h.built(fresh)
	h.built(est) // carried, but not yet for standingAge
	mu.Lock()
	now = now.Add(standingAge)
	mu.Unlock()
	h.built(est)
	h.built(est)
	h.built(fresh)
	d := h.o.DefenceCounters()
	if d.CreatesHandled != 6 || d.CreatesStanding != 2 {
		t.Fatalf("handled %d, from neighbours with standing %d; want 6 and 2", d.CreatesHandled, d.CreatesStanding)
	}
}
