package overlay

import (
	"crypto/rand"
	"testing"
	"time"

	"cyclecash/onion"
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
		a.mu.Lock()
		defer a.mu.Unlock()
		reply := a.q[len(a.q)-1]
		a.q = a.q[:0]
		return reply.Cmd()
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

// TestRelayLimiter: the relay share cap sleeps once the bucket is empty.
func TestRelayLimiter(t *testing.T) {
	t.Parallel()
	if newRelayLimiter(0) != nil {
		t.Fatal("rate 0 must mean no limiter")
	}
	r := newRelayLimiter(100 << 10)
	start := time.Now()
	r.wait(100 << 10) // the initial burst
	r.wait(40 << 10)
	if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
		t.Fatalf("140 KiB at 100 KiB/s took %v, want about 0.4s", d)
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
