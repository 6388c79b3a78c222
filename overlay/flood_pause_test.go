package overlay

import (
	"crypto/rand"
	"testing"
	"time"

	"cyclecash/onion"
)

// TestCreateFloodReadPause: attacker = a neighbour writing CREATEs as fast
// as its link takes them. Once its bucket refuses one, the read loop holds
// that link until the bucket refills a token, so the relay reads the
// flood at the admitted rate instead of paying the read, the lock and a
// DESTROY for every refused cell; reads that refuse nothing do not pause.
// The old read loop read on at once.
func TestCreateFloodReadPause(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	clk := new(fakeClock)
	clk.advance(time.Hour)
	lim := RelayLimits{PeerCreateRate: 10, PeerCreateBurst: 3}
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
	if p := batch(a, &nextA, 3); p.wait != 0 || p.out != nil {
		t.Fatalf("a batch within the burst pauses the read: %+v", p)
	}
	if p := batch(a, &nextA, 5); p.wait != 100*time.Millisecond {
		t.Fatalf("a batch over a 10/s bucket pauses %v, want the 100 ms until its next token", p.wait)
	}
	if p := batch(b, &nextB, 1); p.wait != 0 {
		t.Fatalf("another neighbour's read paused %v", p.wait)
	}
	clk.advance(50 * time.Millisecond)
	if p := batch(a, &nextA, 1); p.wait != 50*time.Millisecond {
		t.Fatalf("half a token refilled: pause %v, want 50 ms", p.wait)
	}
}
