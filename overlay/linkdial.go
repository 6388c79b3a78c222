package overlay

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
)

// linkTo returns the link to p, opening one (and the libp2p connection
// under it) if there is none. Concurrent callers for one peer share a dial,
// so a neighbour pair keeps one link. Addresses come from p's descriptor in
// the directory, else from the peerstore; a link that runs over an
// address outside the networks the descriptor lists is refused.
func (o *Onion) linkTo(ctx context.Context, p peer.ID) (*link, error) {
	for {
		o.mu.Lock()
		if o.closed {
			o.unlock()
			return nil, ErrOnionClosed
		}
		if l := o.byPeer[p]; l != nil {
			o.unlock()
			return l, nil
		}
		wait, busy := o.dialing[p]
		if !busy {
			wait = make(chan struct{})
			o.dialing[p] = wait
			o.unlock()
			return o.dial(ctx, p, wait)
		}
		o.unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ErrHopUnreachable
		}
	}
}

func (o *Onion) dial(ctx context.Context, p peer.ID, done chan struct{}) (*link, error) {
	defer func() {
		o.mu.Lock()
		delete(o.dialing, p)
		o.unlock()
		close(done)
	}()
	if p == o.ov.ID() {
		return nil, ErrHopUnreachable
	}
	h := o.ov.host
	if d, ok := o.ov.dir.Get(p); ok {
		h.Peerstore().AddAddrs(p, d.Addrs, peerstore.TempAddrTTL)
	}
	if err := h.Connect(ctx, peer.AddrInfo{ID: p}); err != nil {
		o.log.Debug("onion link dial failed", "peer", p, "err", scrub(err))
		return nil, ErrHopUnreachable
	}
	s, err := h.NewStream(ctx, p, OnionProtocol)
	if err != nil {
		o.log.Debug("onion link stream failed", "peer", p, "err", scrub(err))
		return nil, ErrHopUnreachable
	}
	if d, ok := o.ov.dir.Get(p); ok && !reachedListed(s.Conn().RemoteMultiaddr(), d, o.ov.cfg.Rules) {
		_ = s.Reset()
		o.log.Debug("onion link refused: the relay was reached outside the networks its descriptor lists", "peer", p)
		return nil, ErrHopUnreachable
	}
	o.mu.Lock()
	defer o.unlock()
	if o.closed {
		_ = s.Reset()
		return nil, ErrOnionClosed
	}
	if l := o.admitLink(s, true); l != nil { // linkpair.go
		return l, nil
	}
	return nil, ErrHopUnreachable
}

// linkDown forgets a dead link: circuits through it are torn down towards
// their other side, client circuits on it fail.
func (o *Onion) linkDown(l *link) {
	o.mu.Lock()
	defer o.unlock()
	delete(o.links, l.id)
	if o.byPeer[l.peer] == l {
		delete(o.byPeer, l.peer)
		for _, other := range o.links {
			if other.peer == l.peer {
				o.byPeer[l.peer] = other
				other.retiring = false // the pair's only link now
				break
			}
		}
	}
	for ref, c := range o.clients {
		if ref.Link == l.id {
			o.failCircuit(c, ErrCircuitBroken)
		}
	}
	o.execute(o.relay.LinkClosed(l.id, o.acts[:0]))
}

// Links returns the peers this node has onion links with.
func (o *Onion) Links() []peer.ID {
	o.mu.Lock()
	defer o.unlock()
	out := make([]peer.ID, 0, len(o.links))
	for _, l := range o.links {
		out = append(out, l.peer)
	}
	return out
}
