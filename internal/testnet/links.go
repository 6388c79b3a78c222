package testnet

import (
	"net"

	"cyclecash/node"

	manet "github.com/multiformats/go-multiaddr/net"
)

// LinkSources returns, for every link any node of the network holds to
// target, the loopback TCP connection as that node sees it: From is the
// far end's socket, whose owner (the target itself, or a Tor exit relaying
// for it) the caller can look up in the process table with To, the address
// it connected to. Links that are not loopback TCP are left out.
func (n *Net) LinkSources(target *node.Node) []LinkSource {
	var out []LinkSource
	for _, nd := range n.Nodes {
		if nd == target {
			continue
		}
		for _, c := range nd.Overlay().Host().Network().ConnsToPeer(target.ID()) {
			from, err := manet.ToNetAddr(c.RemoteMultiaddr())
			if err != nil {
				continue
			}
			to, err := manet.ToNetAddr(c.LocalMultiaddr())
			if err != nil {
				continue
			}
			ft, ok := from.(*net.TCPAddr)
			tt, ok2 := to.(*net.TCPAddr)
			if ok && ok2 && ft.IP.IsLoopback() {
				out = append(out, LinkSource{From: ft, To: tt})
			}
		}
	}
	return out
}

// LinkSource is one loopback link: the far end's socket address and the
// address it connected to.
type LinkSource struct{ From, To *net.TCPAddr }
