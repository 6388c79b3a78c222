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
// peers until it has guards, then its entry guards. Everything else it
// reaches goes through circuits, so no gateway, market or DHT server ever
// sees its address.
type clientGater struct {
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
	defer g.mu.Unlock()
	return g.allowed[p]
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
