package node

import (
	"time"
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
}

// GuardStatus is one primary entry guard.
type GuardStatus struct {
	Peer        string    `json:"peer"`
	Expires     time.Time `json:"expires"`
	InDirectory bool      `json:"in_directory"`
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
	return st
}
