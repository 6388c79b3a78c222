package overlay

import (
	"crypto/rand"
	"testing"

	"cyclecash/onion"
)

// TestReplayLowRotation: attacker = a flood of valid CREATEs filling the
// onion key's replay set, so that (the set refusing rather than
// forgetting) every later CREATE under the key is refused. The relay asks
// for an early key rotation once, when the set is three quarters full,
// and again for the next key; a full set refuses with ErrReplayFull,
// counted. The old relay's FIFO forgot instead, and asked for nothing.
func TestReplayLowRotation(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	low := make(chan struct{}, 4)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, MaxCircuitsPerLink: 100,
		Limits: RelayLimits{PeerCreateRate: 1e6, PeerCreateBurst: 1000, ReplayLow: func() { low <- struct{}{} }}})
	relay, err := onion.NewRelay(onion.RelayConfig{Identity: []byte(o.ov.ID()), OnionKeys: []*onion.OnionKey{key},
		MaxCircuitsPerLink: 100, Replay: &onion.MemoryReplaySet{Max: 8}})
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	o.relay, o.hs = relay, relay.Handshaker() // a small replay set
	o.unlock()
	l := fakeLink(o, 1, "client")
	var next uint32
	notified := func() int { // ReplayLow runs on its own goroutine
		n := 0
		for range len(low) {
			<-low
			n++
		}
		return n
	}
	if c, _ := creates(t, o, l, key, &next, 6); c != 6 {
		t.Fatalf("%d of 6 CREATEs under the set's size answered", c)
	}
	if n := notified(); n != 0 {
		t.Fatalf("ReplayLow called %d times with a quarter of the set free", n)
	}
	creates(t, o, l, key, &next, 1)
	<-low
	if c, r := creates(t, o, l, key, &next, 2); c != 1 || r != 1 {
		t.Fatalf("filling the set: %d created, %d refused; want 1 and 1", c, r)
	}
	if d := o.DefenceCounters(); d.ReplayFullRefused != 1 || notified() != 0 {
		t.Fatalf("counters %+v: full-set refusal not counted, or ReplayLow called twice for one key", d)
	}
	next2, _ := onion.GenerateOnionKey(rand.Reader)
	o.SetKeys(next2, key)
	creates(t, o, l, next2, &next, 7)
	<-low // the rotated key's set filled in turn
}
