package overlay

import (
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Standing: which neighbours' CREATEs the handshake queue serves first
// (createqueue.go). A neighbour earns it with circuits through us that
// carried cells beyond their handshake (extended onward, or carrying
// stream data to this node as their end), held without a break for
// standingAge. Its standing is how many such circuits it holds, at most
// maxStanding. What a Sybil pays for it: a circuit admitted through the
// fresh neighbours' share and its own CREATE bucket, an EXTEND to a relay
// of the directory that this relay carried out (attached to a link to it:
// whether the next relay then accepts is not awaited) or stream data to a
// service here, and standingAge of holding the circuit, counted against
// its circuit cap; and standing buys no more CREATEs than its bucket
// allows, only an earlier turn, and never all the turns (prioShare).
// Hidden-service cells earn none.

// standing is one neighbour's count of circuits that carried cells, and
// since when it held at least one; o.mu guards it.
type standing struct {
	n     int
	since time.Time
}

// markCarried records that the relayed circuit ref carried cells beyond
// its handshake; o.mu held.
func (o *Onion) markCarried(ref onion.CircRef) {
	r := o.relayed[ref]
	if r == nil || r.carried {
		return
	}
	r.carried = true
	s := o.pool.standing[r.prev]
	if s == nil {
		s = &standing{since: o.clock()}
		o.pool.standing[r.prev] = s
	}
	s.n++
}

// carriedClosed forgets a closed circuit's share of its neighbour's
// standing; o.mu held.
func (o *Onion) carriedClosed(r *relayedCirc) {
	if !r.carried {
		return
	}
	if s := o.pool.standing[r.prev]; s != nil {
		if s.n--; s.n <= 0 {
			delete(o.pool.standing, r.prev)
		}
	}
}

// standingOf is p's standing at now: its carried circuits, capped at
// maxStanding, or 0 if it has held them for less than standingAge; o.mu
// held.
func (o *Onion) standingOf(p peer.ID, now time.Time) int {
	s := o.pool.standing[p]
	if s == nil || now.Sub(s.since) < standingAge {
		return 0
	}
	return min(s.n, maxStanding)
}
