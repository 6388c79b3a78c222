package overlay

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// downFor is how long a relay that could not be reached is left out of new
// paths (Tor marks such relays down until its next consensus).
const downFor = 5 * time.Minute

// markDown records that p could not be reached on a build.
func (o *Onion) markDown(p peer.ID) {
	o.mu.Lock()
	defer o.unlock()
	if o.down == nil {
		o.down = map[peer.ID]time.Time{}
	}
	o.down[p] = time.Now()
}

// Reachable reports whether p may go into a new path: it was not found
// unreachable by one of this node's builds in the last few minutes.
func (o *Onion) Reachable(p peer.ID) bool {
	o.mu.Lock()
	defer o.unlock()
	t, ok := o.down[p]
	if ok && time.Since(t) > downFor {
		delete(o.down, p)
		return true
	}
	return !ok
}
