package overlay

import (
	"context"
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeClock is a settable clock for the Onion.
type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.t.Add(int64(d)) }

// creates feeds n fresh CREATEs with IDs from *next on l and returns how
// many were answered CREATED and DESTROY.
func creates(t *testing.T, o *Onion, l *link, key *onion.OnionKey, next *uint32, n int) (created, refused int) {
	t.Helper()
	cells := make([]onion.Cell, 0, n)
	for range n {
		*next++
		_, c, err := onion.NewClientCircuit(rand.Reader, *next, onion.HopSpec{Identity: []byte(o.ov.ID()), OnionKey: key.Public})
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, *c)
	}
	o.handleCells(l, cells)
	o.creating.Wait()
	for _, c := range l.takeQueued() {
		switch c.Cmd() {
		case onion.CmdCreated:
			created++
		case onion.CmdDestroy:
			refused++
		}
	}
	return created, refused
}

// TestCreateAdmission: attackers = a neighbour flooding CREATEs, many
// neighbours of one /16 doing it together, and one neighbour spreading its
// circuits over several links. Each cap refuses what is over it with a
// DESTROY and counts it; the old relay answered every CREATE.
func TestCreateAdmission(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		limits  RelayLimits
		perLink int
		links   []peer.ID // all links share prefix "ab"
		each    int       // CREATEs sent per link
		created int       // wanted in all
		counter func(RelayDefenceCounters) uint64
		refills int // after a second of the fake clock, this many more pass per link
		// (a peer's refusals past the first of a read are charged to its
		// bucket: createLimiter.penalty)
		wantMore int
	}{
		{name: "per-peer bucket", limits: RelayLimits{PeerCreateRate: 5, PeerCreateBurst: 10}, links: []peer.ID{"p"},
			each: 15, created: 10, counter: func(c RelayDefenceCounters) uint64 { return c.PeerRateRefused }, refills: 8, wantMore: 1},
		{name: "per-/16 bucket", limits: RelayLimits{SubnetCreateRate: 2, SubnetCreateBurst: 6}, links: []peer.ID{"p", "q", "r"},
			each: 4, created: 6, counter: func(c RelayDefenceCounters) uint64 { return c.SubnetRateRefused }, refills: 4, wantMore: 2},
		{name: "circuits per peer over links", perLink: 3, links: []peer.ID{"p", "p"},
			each: 2, created: 3, counter: func(c RelayDefenceCounters) uint64 { return c.PeerCapRefused }},
		{name: "global circuit cap", limits: RelayLimits{MaxCircuits: 5}, links: []peer.ID{"p", "q", "r"},
			each: 2, created: 5, counter: func(c RelayDefenceCounters) uint64 { return c.CircuitCapRefused }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key, _ := onion.GenerateOnionKey(rand.Reader)
			clk := new(fakeClock)
			clk.advance(time.Hour)
			o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, Limits: tc.limits, MaxCircuitsPerLink: tc.perLink, Clock: clk.now})
			var links []*link
			for i, p := range tc.links {
				l := fakeLink(o, onion.LinkID(i+1), p)
				l.prefix = "ab"
				links = append(links, l)
			}
			var next uint32
			created, refused := 0, 0
			for _, l := range links {
				c, r := creates(t, o, l, key, &next, tc.each)
				created, refused = created+c, refused+r
			}
			sent := tc.each * len(links)
			if created != tc.created || refused != sent-tc.created {
				t.Fatalf("%d CREATEs: %d created, %d refused; want %d created, the rest refused", sent, created, refused, tc.created)
			}
			if got := tc.counter(o.DefenceCounters()); got != uint64(refused) {
				t.Fatalf("counter %d, want %d refusals", got, refused)
			}
			if tc.refills == 0 {
				return
			}
			clk.advance(time.Second)
			more := 0
			for _, l := range links {
				c, _ := creates(t, o, l, key, &next, tc.refills)
				more += c
			}
			if more != tc.wantMore {
				t.Fatalf("after a second %d more created, want %d (the bucket's rate)", more, tc.wantMore)
			}
		})
	}
}

// TestCircuitQueueOverrun: attacker = a client that ignores its window and
// pours cells into one circuit faster than the next hop takes them. The
// relay closes that circuit and counts it; the link to the next hop, which
// carries other clients' circuits, stays up. The old relay killed the whole
// link once 16,384 cells were queued on it.
func TestCircuitQueueOverrun(t *testing.T) {
	t.Parallel()
	h := newMiddleHarness(t)
	h.take(h.b)
	var cells []onion.Cell
	for range MaxLinkQueueOld + 100 {
		cells, _ = h.client.SendRelay(2, onion.RelayMsg{Cmd: onion.RelayDrop}, cells)
	}
	for len(cells) > 0 {
		n := min(len(cells), readBatch)
		h.toMiddle(cells[:n]...)
		cells = cells[n:]
	}
	h.b.mu.Lock()
	closed := h.b.closed
	h.b.mu.Unlock()
	queued := h.b.queuedLen() + h.a.queuedLen()
	if closed {
		t.Fatal("a flooded circuit killed the link to the next hop")
	}
	if n := len(h.o.RelayedCircuits()); n != 0 {
		t.Fatalf("the flooding circuit is still open (%d circuits)", n)
	}
	if c := h.o.DefenceCounters(); c.WindowViolations != 1 {
		t.Fatalf("window violations %d, want 1", c.WindowViolations)
	}
	if queued > maxCircQueue+2 || h.o.queued.Load() != int64(queued) {
		t.Fatalf("%d cells left queued (accounted %d), want at most the cap", queued, h.o.queued.Load())
	}
}

// MaxLinkQueueOld is the link queue bound at which the old relay killed a
// link: the overrun test sends more than that into one circuit.
const MaxLinkQueueOld = 16384

// TestOOMKillerOldest: past the queue budget the relay closes the circuit
// holding the oldest queued cell and keeps the others, whatever their size.
func TestOOMKillerOldest(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, Limits: RelayLimits{QueueBudget: 100 * onion.CellSize}})
	a := fakeLink(o, 1, "a")
	b := fakeLink(o, 2, "b")
	var next uint32
	if c, _ := creates(t, o, a, key, &next, 3); c != 3 { // circuits 1, 2, 3 from a
		t.Fatalf("%d circuits built", c)
	}
	cell := func(id uint32) *onion.Cell {
		c := new(onion.Cell)
		c.SetHeader(id, onion.CmdRelay)
		return c
	}
	o.mu.Lock()
	for range 30 { // circuit 2's cells are the oldest, and the fewest
		a.enqueue(cell(2))
	}
	for range 30 {
		b.enqueue(cell(9)) // a circuit that is not ours on another link
		a.enqueue(cell(1))
	}
	o.unlock()
	if o.DefenceCounters().OOMClosed != 0 {
		t.Fatal("OOM killer ran under the budget")
	}
	o.mu.Lock()
	for range 15 { // 105 cells: over the budget of 100
		a.enqueue(cell(3))
	}
	o.unlock()
	c := o.DefenceCounters()
	if c.OOMClosed != 1 {
		t.Fatalf("OOM killer closed %d circuits, want 1", c.OOMClosed)
	}
	o.mu.Lock()
	_, has1 := o.relayed[onion.CircRef{Link: 1, CircID: 1}]
	_, has2 := o.relayed[onion.CircRef{Link: 1, CircID: 2}]
	_, has3 := o.relayed[onion.CircRef{Link: 1, CircID: 3}]
	o.unlock()
	if has2 || !has1 || !has3 {
		t.Fatalf("circuits left: 1 %v, 2 %v, 3 %v; want only the oldest-queued (2) closed", has1, has2, has3)
	}
	for _, cl := range a.takeQueued() {
		if cl.CircID() == 2 && cl.Cmd() != onion.CmdDestroy {
			t.Fatal("the closed circuit's cells are still queued")
		}
	}
	if a.closed || b.closed || c.QueuedCells > c.QueueBudgetCells {
		t.Fatalf("links closed (%v, %v) or %d cells queued over the budget %d", a.closed, b.closed, c.QueuedCells, c.QueueBudgetCells)
	}
}

// TestExtendUnknownRelay: attacker = a client asking a relay to EXTEND to
// made-up peers, each one a DHT query for the relay. A circuit gets one
// bounded lookup; its further EXTENDs to unknown peers are refused at once
// (the old relay looked each one up: up to 7 per circuit).
func TestExtendUnknownRelay(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}})
	var lookups atomic.Int32
	o.lookup = func(context.Context, peer.ID) { lookups.Add(1) }
	a := fakeLink(o, 1, "client")
	var next uint32
	creates(t, o, a, key, &next, 2)
	for i := range 5 {
		circ := onion.CircRef{Link: 1, CircID: uint32(1 + i/4)} // circuit 1 tries 4 times, circuit 2 once
		id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
		p, _ := peer.IDFromPrivateKey(id)
		if _, err := o.linkByIdentity(context.Background(), circ, []byte(p)); err != ErrHopUnreachable {
			t.Fatalf("EXTEND to an unknown relay: %v", err)
		}
	}
	c := o.DefenceCounters()
	if lookups.Load() != 2 || c.ExtendLookups != 2 || c.ExtendUnknown != 3 {
		t.Fatalf("%d lookups (counted %d), %d refused; want 1 per circuit: 2 and 3", lookups.Load(), c.ExtendLookups, c.ExtendUnknown)
	}
}

// TestExtendLinkedButUndescribed: a relay extends only to a peer whose
// descriptor it holds, even when it already has a link to that peer (a
// client, or a neighbour that published nothing): an open link is no
// licence, or any peer connected to a relay could be reached, and its
// presence probed, through circuits. With the descriptor the same link is
// used.
func TestExtendLinkedButUndescribed(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}})
	o.lookup = func(context.Context, peer.ID) {} // the lookup finds nothing
	a := fakeLink(o, 1, "client")
	var next uint32
	creates(t, o, a, key, &next, 1)
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	p, _ := peer.IDFromPrivateKey(id)
	b := fakeLink(o, 2, p)
	b.weDialed, o.byPeer[p] = true, b
	circ := onion.CircRef{Link: 1, CircID: 1}
	for range 2 { // the circuit's one lookup, then none
		if l, err := o.linkByIdentity(context.Background(), circ, []byte(p)); err != ErrHopUnreachable || l != nil {
			t.Fatalf("EXTEND to a linked peer with no descriptor: link %v, %v; want ErrHopUnreachable", l != nil, err)
		}
	}
	bKey, _ := onion.GenerateOnionKey(rand.Reader)
	knownRelay(t, o, id, bKey)
	if l, err := o.linkByIdentity(context.Background(), circ, []byte(p)); err != nil || l != b {
		t.Fatalf("EXTEND to the described peer: same link %v, %v", l == b, err)
	}
}
