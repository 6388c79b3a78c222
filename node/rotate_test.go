package node

import (
	"testing"
	"time"
)

// TestReplayLowRotatesEarly: when the relay reports its replay set for the
// onion key filling (overlay.RelayLimits.ReplayLow, which sends on
// n.replayLow), the node rotates the key at once, weeks before it is due,
// keeps the old key as the previous one (clients holding the old
// descriptor still get through) and publishes the new one. Without it a
// full set refuses every CREATE until the key's lifetime ends.
func TestReplayLowRotatesEarly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := runNode(t, dir, "relay")
	n.mu.Lock()
	before := n.onion.Public()
	n.mu.Unlock()
	n.replayLow <- struct{}{}
	deadline := time.Now().Add(20 * time.Second)
	for {
		k, rotated, err := loadOrCreateOnionKeys(dir, time.Now())
		if err != nil || rotated {
			t.Fatalf("reload: rotated=%v, %v", rotated, err) // the fresh key is not due
		}
		d, _, err := n.ov.Descriptor()
		if err != nil {
			t.Fatal(err)
		}
		if k.Public() != before && k.Previous != nil && d.OnionKey == k.Public() {
			prev := &OnionKeys{Current: *k.Previous}
			if prev.Public() != before {
				t.Fatal("the previous key is not the one rotated out")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no early rotation: current changed %v, descriptor has the new key %v", k.Public() != before, d.OnionKey == k.Public())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
