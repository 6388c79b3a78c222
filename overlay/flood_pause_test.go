package overlay

import (
	"crypto/rand"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestCreateFloodReadPause: attacker = a neighbour writing CREATEs as fast
// as its link takes them. Once its bucket refuses some, the read loop holds
// that link until the bucket would have earned a token for each, so the
// relay reads the flood at about the admitted rate instead of paying the
// read, the lock and a DESTROY for every refused cell; reads that refuse
// nothing do not pause.
// The old read loop read on at once.
func TestCreateFloodReadPause(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	clk := new(fakeClock)
	clk.advance(time.Hour)
	lim := RelayLimits{PeerCreateRate: 10, PeerCreateBurst: 8}
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, Limits: lim, Clock: clk.now})
	batch := func(l *link, next *uint32, n int) readPause {
		cells := make([]onion.Cell, 0, n)
		for range n {
			*next++
			_, c, err := onion.NewClientCircuit(rand.Reader, *next, onion.HopSpec{Identity: []byte(o.ov.ID()), OnionKey: key.Public})
			if err != nil {
				t.Fatal(err)
			}
			cells = append(cells, *c)
		}
		p := o.handleCells(l, cells)
		o.creating.Wait()
		l.takeQueued()
		return p
	}
	a, b := fakeLink(o, 1, "a"), fakeLink(o, 2, "b")
	a.prefix, b.prefix = "ab", "cd"
	var nextA, nextB uint32
	if p := batch(a, &nextA, 8); p.wait != 0 || p.out != nil {
		t.Fatalf("a batch within the burst pauses the read: %+v", p)
	}
	if p := batch(a, &nextA, 5); p.wait != 500*time.Millisecond {
		t.Fatalf("5 CREATEs refused by a 10/s bucket pause %v, want 500 ms: a token, and 4 more charged", p.wait)
	}
	if p := batch(b, &nextB, 1); p.wait != 0 {
		t.Fatalf("another neighbour's read paused %v", p.wait)
	}
	clk.advance(50 * time.Millisecond)
	if p := batch(a, &nextA, 1); p.wait != 450*time.Millisecond {
		t.Fatalf("read again 50 ms into a pause: %v, want the 450 ms the charge still takes", p.wait)
	}
	if p := batch(a, &nextA, 64); p.wait != 900*time.Millisecond {
		t.Fatalf("64 refused: pause %v, want 900 ms (the charge is capped at the burst)", p.wait)
	}
	clk.advance(900 * time.Millisecond)
	if p := batch(a, &nextA, 1); p.wait != 0 {
		t.Fatalf("a CREATE after the pause: pause %v, want it admitted", p.wait)
	}
}

// TestRelayNeighbourNotPaused: attacker = a client flooding CREATEs
// through an honest relay, whose link to us also carries other clients'
// circuits. The relay's bucket still refuses the excess (counted), but its
// link is not paused: pausing it would stall every circuit it carries. A
// neighbour that is no relay of the directory is paused as before.
func TestRelayNeighbourNotPaused(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	clk := new(fakeClock)
	clk.advance(time.Hour)
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	ov, err := New(Config{Identity: id, PoWBits: testPoWBits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ov.Close() })
	o, err := NewOnion(ov, OnionConfig{Keys: []*onion.OnionKey{key}, Limits: RelayLimits{PeerCreateRate: 10, PeerCreateBurst: 8}, Clock: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	_, raw := testDescriptor(t, 77, func(d *Descriptor) { d.Expiry = time.Now().Add(time.Hour).Truncate(time.Second) })
	relayID, err := peer.IDFromPrivateKey(testKey(t, 77))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.ov.dir.Add(raw, relayID); err != nil {
		t.Fatal(err)
	}
	var next uint32
	flood := func(l *link) readPause {
		cells := make([]onion.Cell, 0, 20)
		for range 20 {
			next++
			_, c, err := onion.NewClientCircuit(rand.Reader, next, onion.HopSpec{Identity: []byte(o.ov.ID()), OnionKey: key.Public})
			if err != nil {
				t.Fatal(err)
			}
			cells = append(cells, *c)
		}
		p := o.handleCells(l, cells)
		o.creating.Wait()
		l.takeQueued()
		return p
	}
	if p := flood(fakeLink(o, 1, relayID)); p.wait != 0 {
		t.Fatalf("a relay neighbour's link paused %v for the CREATEs it carried", p.wait)
	}
	if refused := o.DefenceCounters().PeerRateRefused; refused != 12 {
		t.Fatalf("%d CREATEs refused from the relay, want the 12 past its burst", refused)
	}
	if p := flood(fakeLink(o, 2, "client")); p.wait == 0 {
		t.Fatal("a client neighbour's flood no longer pauses its link")
	}
}
