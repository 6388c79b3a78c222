package overlay

import (
	"time"

	"github.com/libp2p/go-libp2p/core/network"
)

// One link per neighbour pair. A neighbour that opens a second link while
// its first is up is refused (LinksRefused): more links would multiply its
// per-link circuit quota. The one legitimate second link is a simultaneous
// open, each side dialing the other before it saw the other's stream. Both
// sides then keep the same link by one deterministic rule: the link dialed
// by the lower peer ID. The other retires: no new circuits of ours go over
// it, and it is closed once it carries no circuit. For retireGrace the
// neighbour may still create circuits on it (it may not yet have seen the
// second link); past that its CREATEs are dropped (RetiredCreates), so a
// retiring link cannot be kept busy for a second quota.

// defaultRetireGrace is how long a retiring link still takes CREATEs.
const defaultRetireGrace = 5 * time.Second

// admitLink registers the link s, which we dialed or the neighbour did,
// and returns the link to use for new circuits with that neighbour: nil if
// s was refused and no link is up; o.mu held.
func (o *Onion) admitLink(s network.Stream, weDialed bool) *link {
	p := s.Conn().RemotePeer()
	cur := o.byPeer[p]
	if cur == nil {
		return o.addLink(s, weDialed)
	}
	if cur.weDialed == weDialed || o.linksOf(p) > maxLinksPerPeer {
		o.defence.LinksRefused++
		go s.Reset()
		return cur
	}
	l := o.addLink(s, weDialed)
	keep, old := cur, l
	if weDialed == (o.ov.ID() < p) { // the new link is the lower ID's dial
		keep, old = l, cur
	}
	o.byPeer[p] = keep
	o.retire(old)
	return keep
}

// retire stops using l for new circuits and closes it once it carries
// none, after the grace; o.mu held.
func (o *Onion) retire(l *link) {
	l.retiring, l.retiredAt = true, time.Now()
	time.AfterFunc(o.retireGrace, func() {
		o.mu.Lock()
		defer o.unlock()
		o.closeRetired(time.Now())
	})
}

// closeRetired closes retiring links past their grace that carry no
// circuit; o.mu held. Expire calls it too, for links busy at their grace.
func (o *Onion) closeRetired(now time.Time) {
	for _, l := range o.links {
		if l.retiring && now.Sub(l.retiredAt) >= o.retireGrace && !o.relay.LinkBusy(l.id) {
			l.kill()
		}
	}
}

// dropRetiredCreate reports whether a CREATE read on l is dropped: l
// retired longer ago than the grace; o.mu held.
func (o *Onion) dropRetiredCreate(l *link) bool {
	if !l.retiring || time.Since(l.retiredAt) < o.retireGrace {
		return false
	}
	o.defence.RetiredCreates++
	return true
}
