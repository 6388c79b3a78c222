package testnet

import (
	"net"

	"cyclecash/node"

	manet "github.com/multiformats/go-multiaddr/net"
)

// LinkSourcePorts returns, for every link any node of the network holds to
// target, the loopback TCP port it comes from as that node sees it: the
// far end's socket, whose owner (the target itself, or a Tor exit relaying
// for it) the caller can look up in the process table. Links that are not
// loopback TCP are left out.
func (n *Net) LinkSourcePorts(target *node.Node) []int {
	var ports []int
	for _, nd := range n.Nodes {
		if nd == target {
			continue
		}
		for _, c := range nd.Overlay().Host().Network().ConnsToPeer(target.ID()) {
			na, err := manet.ToNetAddr(c.RemoteMultiaddr())
			if tcp, ok := na.(*net.TCPAddr); err == nil && ok && tcp.IP.IsLoopback() {
				ports = append(ports, tcp.Port)
			}
		}
	}
	return ports
}
