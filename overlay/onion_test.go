package overlay

import (
	"crypto/rand"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestRelayOnionKeys: the relay answers handshakes for the current and the
// previous onion key, refuses others, and follows SetKeys after a rotation.
func TestRelayOnionKeys(t *testing.T) {
	t.Parallel()
	k1, _ := onion.GenerateOnionKey(rand.Reader)
	k2, _ := onion.GenerateOnionKey(rand.Reader)
	k3, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{k2, k1}})
	a := fakeLink(o, 1, "client")
	circID := uint32(0)
	answer := func(k *onion.OnionKey) onion.Command {
		circID++
		_, create, _ := onion.NewClientCircuit(rand.Reader, circID, onion.HopSpec{Identity: []byte(o.ov.ID()), OnionKey: k.Public})
		o.handleCells(a, []onion.Cell{*create})
		o.creating.Wait()
		q := a.takeQueued()
		return q[len(q)-1].Cmd()
	}
	for _, tc := range []struct {
		name string
		key  *onion.OnionKey
		want onion.Command
	}{{"current", k2, onion.CmdCreated}, {"previous", k1, onion.CmdCreated}, {"unknown", k3, onion.CmdDestroy}} {
		if got := answer(tc.key); got != tc.want {
			t.Errorf("%s key: relay answered %v, want %v", tc.name, got, tc.want)
		}
	}
	o.SetKeys(k3, k2)
	if answer(k3) != onion.CmdCreated || answer(k2) != onion.CmdCreated || answer(k1) != onion.CmdDestroy {
		t.Error("after rotation the relay does not follow the new keys")
	}
}

// TestRelayIdleExpiry: a relayed circuit idle past the relay's idle timeout
// is destroyed towards both neighbours and leaves the circuit table.
func TestRelayIdleExpiry(t *testing.T) {
	t.Parallel()
	h := newMiddleHarness(t)
	h.take(h.a)
	h.take(h.b)
	h.o.expire(time.Now().Add(onion.DefaultIdleTimeout + time.Minute))
	if n := len(h.o.RelayedCircuits()); n != 0 {
		t.Fatalf("%d circuits left after expiry", n)
	}
	for _, l := range []*link{h.a, h.b} {
		q := h.take(l)
		if len(q) != 1 || q[0].Cmd() != onion.CmdDestroy {
			t.Fatalf("link %d got %d cells, want one DESTROY", l.id, len(q))
		}
	}
}

// TestRelayLimiter: the relay share cap sleeps once the bucket is empty,
// for as long as the missing bytes take at the rate (fake clock: the test
// measures the sleeps asked for, not the wall clock).
func TestRelayLimiter(t *testing.T) {
	t.Parallel()
	if newRelayLimiter(0, nil, nil) != nil {
		t.Fatal("rate 0 must mean no limiter")
	}
	now := time.Unix(1e9, 0)
	var slept time.Duration
	r := newRelayLimiter(100<<10, func() time.Time { return now },
		func(d time.Duration) { slept += d; now = now.Add(d) })
	r.wait(100 << 10) // the initial burst
	if slept != 0 {
		t.Fatalf("the initial burst slept %v", slept)
	}
	r.wait(40 << 10)
	if want := 400 * time.Millisecond; slept < want-time.Millisecond || slept > want+time.Millisecond {
		t.Fatalf("140 KiB at 100 KiB/s slept %v, want 0.4s", slept)
	}
	now = now.Add(time.Second) // a second idle refills the bucket
	r.wait(100 << 10)
	if slept > 401*time.Millisecond {
		t.Fatalf("after a refill the burst slept again: %v in all", slept)
	}
}

// TestBuildTimeoutBackoff: the learned timeout doubles per consecutive
// timed-out build and returns once a build succeeds.
func TestBuildTimeoutBackoff(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}})
	if o.BuildTimeout() != onion.DefaultBuildTimeout {
		t.Fatal("timeout before any build is not the default")
	}
	for i := range 200 {
		o.builds.add(time.Duration(20+i%7) * time.Millisecond)
	}
	learned := o.BuildTimeout()
	if learned >= time.Second {
		t.Fatalf("learned %v from ~20 ms builds", learned)
	}
	o.buildOutcome(true)
	o.buildOutcome(true)
	if got := o.BuildTimeout(); got != 4*learned {
		t.Fatalf("after two timeouts: %v, want %v", got, 4*learned)
	}
	o.buildOutcome(false)
	if got := o.BuildTimeout(); got != learned {
		t.Fatalf("after a success: %v, want %v", got, learned)
	}
}

// TestExtendToLinkThatDied: the link an EXTEND found can die before the
// relay takes its lock to attach the circuit. The client must then get a
// TRUNCATED at once, not a CREATE sent down a dead link and a build left
// waiting for its timeout.
func TestExtendToLinkThatDied(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}})
	a := fakeLink(o, 1, "client")
	nextID, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	nextPeer, _ := peer.IDFromPrivateKey(nextID)
	nextKey, _ := onion.GenerateOnionKey(rand.Reader)
	knownRelay(t, o, nextID, nextKey)
	o.mu.Lock()
	o.dialing[nextPeer] = make(chan struct{}) // park the relay's own extend
	o.unlock()
	take := func(l *link) []onion.Cell {
		o.creating.Wait()
		return l.takeQueued()
	}
	cc, create, _ := onion.NewClientCircuit(rand.Reader, 5, onion.HopSpec{Identity: []byte(o.ov.ID()), OnionKey: key.Public})
	o.handleCells(a, []onion.Cell{*create})
	for _, c := range take(a) {
		if _, _, err := cc.HandleCell(&c, nil); err != nil {
			t.Fatal(err)
		}
	}
	cells, err := cc.Extend(onion.HopSpec{Identity: []byte(nextPeer), OnionKey: nextKey.Public}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o.handleCells(a, cells)

	b := fakeLink(o, 2, nextPeer)
	b.weDialed = true
	o.linkDown(b) // b died after linkTo returned it
	o.mu.Lock()
	o.attachExtend(onion.CircRef{Link: a.id, CircID: cc.CircID()}, b, nil)
	o.unlock()

	got := take(a)
	if len(got) != 1 {
		t.Fatalf("client got %d cells, want one TRUNCATED", len(got))
	}
	ev, _, err := cc.HandleCell(&got[0], nil)
	if err != nil || ev.Kind != onion.EventExtendFailed {
		t.Fatalf("client event %v (%v), want EventExtendFailed", ev.Kind, err)
	}
}

// TestBlameNeverTheDestination: a failed extend leaves the relay it was
// aimed at out of new paths, but never the circuit's destination, which may
// be the only node of its role.
func TestBlameNeverTheDestination(t *testing.T) {
	t.Parallel()
	path := relaySet(t, 4, nil)
	for hop, want := range []bool{true, true, true, false, false} {
		p, ok := blame(path, hop)
		if ok != want || (ok && p != path[hop].Peer) {
			t.Errorf("hop %d: blame = %v, %v; want %v", hop, p, ok, want)
		}
	}
}
