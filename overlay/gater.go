package overlay

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// clientGater confines a client-only (stealth) node: it accepts no inbound
// connection and dials only the peers it was told to trust: its bootstrap
// peers while it has no guard, then its entry guards alone, and never a
// peer the directory lists as a gateway or market (deny), even when such a
// peer was given as a bootstrap peer or guard. Everything else it reaches
// goes through circuits, so no gateway, market or DHT server ever sees its
// address.
type clientGater struct {
	deny func(peer.ID) bool // set once before the host dials; nil = none

	mu      sync.Mutex
	allowed map[peer.ID]bool
}

var _ connmgr.ConnectionGater = (*clientGater)(nil)

func newClientGater(allowed []peer.ID) *clientGater {
	g := &clientGater{}
	g.set(allowed)
	return g
}

func (g *clientGater) set(ids []peer.ID) {
	m := make(map[peer.ID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	g.mu.Lock()
	g.allowed = m
	g.mu.Unlock()
}

func (g *clientGater) ok(p peer.ID) bool {
	g.mu.Lock()
	ok := g.allowed[p]
	g.mu.Unlock()
	return ok && (g.deny == nil || !g.deny(p))
}

func (g *clientGater) InterceptPeerDial(p peer.ID) bool                 { return g.ok(p) }
func (g *clientGater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return g.ok(p) }
func (g *clientGater) InterceptAccept(network.ConnMultiaddrs) bool      { return false }

func (g *clientGater) InterceptSecured(dir network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return dir == network.DirOutbound && g.ok(p)
}

func (g *clientGater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) {
	return true, 0
}
