package node

import (
	"fmt"
	"strings"
	"time"

	"cyclecash/node/service"
	"cyclecash/overlay"
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
	// Circuits are this node's open client circuits; Relaying counts the
	// circuits of others passing through or ending here.
	Circuits []CircuitStatus `json:"circuits"`
	Relaying int             `json:"relaying"`
	// GuardSet is every sampled guard: primary, confirmed, and why each
	// unused one is set aside ("path bias": its circuits failed far more
	// often than the others', as when a relay drops circuits to steer this
	// node; "unreachable", "not eligible", "not listed", "not primary
	// yet"). GuardText renders it.
	GuardSet []GuardSetEntry `json:"guard_set"`
	// Vanguards are the layer-2 guards, the second hop of every
	// hidden-service circuit (vanguards-lite); GuardText renders them.
	Vanguards []VanguardStatus `json:"vanguards"`
	// RelayDefence counts what the relay's flood defences refused or shed.
	RelayDefence overlay.RelayDefenceCounters `json:"relay_defence"`
	// HiddenServices are the hidden services this node hosts (hsnet.go).
	HiddenServices []HSStatus `json:"hidden_services"`
	// Socks is the SOCKS5 proxy's state (hsconfig.go).
	Socks SocksStatus `json:"socks"`
	// Tor is the Tor bridge's state: bootstrap progress, onion services.
	Tor *TorStatus `json:"tor,omitempty"`
}

// GuardSetEntry is one sampled entry guard in Status.GuardSet.
type GuardSetEntry struct {
	Peer      string    `json:"peer"`
	Primary   bool      `json:"primary"`
	Confirmed bool      `json:"confirmed"`
	Expires   time.Time `json:"expires"`
	Circuits  uint32    `json:"circuits"`
	Succeeded uint32    `json:"succeeded"`
	Excluded  string    `json:"excluded,omitempty"`
}

// VanguardStatus is one layer-2 guard in Status.Vanguards.
type VanguardStatus struct {
	Peer    string    `json:"peer"`
	Expires time.Time `json:"expires"`
	Listed  bool      `json:"listed"` // in the directory now
}

// vanguardStatus reports the layer-2 guards against the current directory.
func (n *Node) vanguardStatus() []VanguardStatus {
	out := []VanguardStatus{}
	dir := n.ov.Directory()
	for _, e := range n.vanguards.Layer2List() {
		_, ok := dir.Get(e.Peer)
		out = append(out, VanguardStatus{Peer: e.Peer.String(), Expires: e.Expires, Listed: ok})
	}
	return out
}

// guardSet reports the sampled guards against the current directory.
func (n *Node) guardSet() []GuardSetEntry {
	out := []GuardSetEntry{}
	for _, r := range n.guards.Report(n.pathSelector()) {
		out = append(out, GuardSetEntry{Peer: r.Peer.String(), Primary: r.Primary, Confirmed: r.Confirmed,
			Expires: r.Expires, Circuits: r.Circuits, Succeeded: r.Succeeded, Excluded: r.Excluded})
	}
	return out
}

// GuardText is the guard set and the layer-2 guards as lines for
// `cyclecash status`, one guard a line, ending in a newline; "" when
// neither holds any.
func (st Status) GuardText() string {
	var b strings.Builder
	st.guardSetText(&b)
	st.vanguardText(&b)
	return b.String()
}

// guardSetText appends the sampled guards to b.
func (st Status) guardSetText(b *strings.Builder) {
	sampled, primary, confirmed := len(st.GuardSet), 0, 0
	for _, g := range st.GuardSet {
		if g.Primary {
			primary++
		}
		if g.Confirmed {
			confirmed++
		}
	}
	if sampled == 0 {
		return
	}
	fmt.Fprintf(b, "guard set  %d sampled, %d primary, %d confirmed\n", sampled, primary, confirmed)
	for _, g := range st.GuardSet {
		kind := "sampled"
		if g.Primary {
			kind = "primary"
		}
		if g.Confirmed {
			kind += ", confirmed"
		}
		state := "usable"
		if g.Excluded != "" {
			state = "set aside: " + g.Excluded
		}
		fmt.Fprintf(b, "  %s  %s, %s, %d/%d circuits built, until %s\n", g.Peer, kind, state,
			g.Succeeded, g.Circuits, g.Expires.Format("2006-01-02"))
	}
}

// vanguardText appends the layer-2 guards to b.
func (st Status) vanguardText(b *strings.Builder) {
	if len(st.Vanguards) == 0 {
		return
	}
	fmt.Fprintf(b, "layer-2 guards  %d (second hop of hidden-service circuits)\n", len(st.Vanguards))
	for _, v := range st.Vanguards {
		state := "listed"
		if !v.Listed {
			state = "not listed"
		}
		fmt.Fprintf(b, "  %s  %s, until %s\n", v.Peer, state, v.Expires.Format("2006-01-02 15:04"))
	}
}

// Status reports the node's current state.
func (n *Node) Status() Status {
	dir := n.ov.Directory()
	st := Status{
		Peer:           n.ID().String(),
		Addrs:          n.P2PAddrs(),
		Roles:          n.cfg.Roles,
		RoutingTable:   n.ov.RoutingTableSize(),
		Directory:      dir.Len(),
		Rejected:       dir.Rejections(),
		Guards:         []GuardStatus{},
		Circuits:       []CircuitStatus{},
		Relaying:       len(n.circ.RelayedCircuits()),
		GuardSet:       n.guardSet(),
		Vanguards:      n.vanguardStatus(),
		RelayDefence:   n.circ.DefenceCounters(),
		HiddenServices: n.HiddenServices(),
		Socks:          n.SocksStatus(),
		Tor:            n.tor.status(),
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
	return st
}

// figures are the node's own figures for the dashboard: its status and
// the bytes it relayed for others.
func (n *Node) figures() service.NodeFigures {
	st := n.Status()
	return service.NodeFigures{Peer: st.Peer, Roles: st.Roles, Uptime: st.Uptime, Directory: st.Directory,
		Guards: st.Guards, Circuits: st.Circuits, Relaying: st.Relaying, RelayedBytes: n.circ.RelayedBytes()}
}
