package node

import (
	"time"

	"cyclecash/node/service"
)

// Status is what `cyclecash status` shows: the node's own view of itself.
type Status struct {
	Peer         string         `json:"peer"`
	Addrs        []string       `json:"addrs"`
	Roles        []string       `json:"roles"`
	Uptime       string         `json:"uptime"`
	RoutingTable int            `json:"routing_table"`
	Directory    int            `json:"directory"`
	Rejected     map[string]int `json:"rejected,omitempty"`
	Guards       []GuardStatus  `json:"guards"`
	// GuardsSetAside are the guards path bias set aside: their circuits
	// failed far more often than the others' (a relay may be dropping
	// circuits to steer this node). They are no longer used.
	GuardsSetAside []GuardStatus `json:"guards_set_aside,omitempty"`
	// Circuits are this node's open client circuits; Relaying counts the
	// circuits of others passing through or ending here.
	Circuits []CircuitStatus `json:"circuits"`
	Relaying int             `json:"relaying"`
	// Tor is the Tor bridge's state: bootstrap progress, onion services.
	Tor *TorStatus `json:"tor,omitempty"`
}

// Status reports the node's current state.
func (n *Node) Status() Status {
	dir := n.ov.Directory()
	st := Status{
		Peer:         n.ID().String(),
		Addrs:        n.P2PAddrs(),
		Roles:        n.cfg.Roles,
		RoutingTable: n.ov.RoutingTableSize(),
		Directory:    dir.Len(),
		Rejected:     dir.Rejections(),
		Guards:       []GuardStatus{},
		Circuits:     []CircuitStatus{},
		Relaying:     len(n.circ.RelayedCircuits()),
		Tor:          n.tor.status(),
	}
	for _, c := range n.circ.Circuits() {
		st.Circuits = append(st.Circuits, CircuitStatus{Hops: c.Hops, Age: c.Age.Round(time.Second).String(),
			Streams: c.Streams, Sent: c.Sent, Received: c.Received})
	}
	n.mu.Lock()
	if !n.started.IsZero() {
		st.Uptime = time.Since(n.started).Round(time.Second).String()
	}
	n.mu.Unlock()
	for _, g := range n.guards.Primary() {
		_, ok := dir.Get(g.Peer)
		st.Guards = append(st.Guards, GuardStatus{Peer: g.Peer.String(), Expires: g.Expires, InDirectory: ok})
	}
	for _, g := range n.guards.SetAside() {
		_, ok := dir.Get(g.Peer)
		st.GuardsSetAside = append(st.GuardsSetAside, GuardStatus{Peer: g.Peer.String(), Expires: g.Expires, InDirectory: ok})
	}
	return st
}

// figures are the node's own figures for the dashboard: its status and
// the bytes it relayed for others.
func (n *Node) figures() service.NodeFigures {
	st := n.Status()
	return service.NodeFigures{Peer: st.Peer, Roles: st.Roles, Uptime: st.Uptime, Directory: st.Directory,
		Guards: st.Guards, Circuits: st.Circuits, Relaying: st.Relaying, RelayedBytes: n.circ.RelayedBytes()}
}
