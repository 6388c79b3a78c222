package overlay

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// The Tor bridge as the host sees it (DESIGN.md section 8). The overlay
// does not import overlay/tor: node hands it a transport constructor and
// the onion address to announce.
//
//   - Config.TorTransport (overlay/tor's NewTransport) replaces TCP and
//     QUIC on a client-only host, so every link it opens (bootstrap peers,
//     then its guards) leaves through Tor and its guard sees a Tor relay's
//     address, never the node's. A listening node keeps TCP and QUIC: it is
//     known by its address anyway, and a second TCP transport would clash.
//   - AnnounceOnion adds a relay's /onion3 address (its TCP listener
//     published as an onion service) to the addresses its descriptor lists.

// torHook carries the Tor options into newHost.
type torHook struct {
	transport any // libp2p transport constructor; nil = TCP + QUIC
	onion     *announced
}

// transports are the host's libp2p transport options.
func (h torHook) transports() []libp2p.Option {
	if h.transport != nil {
		return []libp2p.Option{libp2p.Transport(h.transport)}
	}
	return []libp2p.Option{libp2p.Transport(tcp.NewTCPTransport), libp2p.Transport(quic.NewTransport)}
}

// addrs appends the announced onion address to what the host lists.
func (h torHook) addrs() libp2p.Option {
	return libp2p.AddrsFactory(func(as []ma.Multiaddr) []ma.Multiaddr {
		if o := h.onion.get(); o != nil {
			as = append(as, o)
		}
		return as
	})
}

// announced is the onion address a relay announces, if any.
type announced struct {
	mu   sync.Mutex
	addr ma.Multiaddr
}

func (a *announced) get() ma.Multiaddr {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addr
}

// AnnounceOnion lists addr, a bare /onion3/<id>:<port> on which this relay's
// TCP listener is published, in the addresses of its next descriptors
// (call Publish to publish one now). A client-only node announces nothing.
func (o *Overlay) AnnounceOnion(addr ma.Multiaddr) error {
	if o.cfg.ClientOnly {
		return errors.New("overlay: a client-only node announces no address")
	}
	if !isOnionAddr(addr) {
		return fmt.Errorf("%w: not a bare /onion3 address", ErrAddrNotIP)
	}
	o.tor.onion.mu.Lock()
	o.tor.onion.addr = addr
	o.tor.onion.mu.Unlock()
	return nil
}

// LoopbackTCP is the host:port on loopback where this node's TCP listener
// accepts links: the target of its onion service. It fails when the node
// has no TCP listener reachable from loopback.
func (o *Overlay) LoopbackTCP() (string, error) {
	for _, a := range o.host.Network().ListenAddresses() {
		if len(a) != 2 || a[1].Code() != ma.P_TCP {
			continue
		}
		ip := addrIP(a)
		switch {
		case ip == nil:
			continue
		case ip.IsUnspecified() && ip.To4() != nil:
			ip = net.IPv4(127, 0, 0, 1)
		case ip.IsUnspecified():
			ip = net.IPv6loopback
		case !ip.IsLoopback():
			continue
		}
		port, err := strconv.Atoi(a[1].Value())
		if err == nil && port > 0 {
			return net.JoinHostPort(ip.String(), strconv.Itoa(port)), nil
		}
	}
	return "", errors.New("overlay: no tcp listener reachable on loopback (listen on 0.0.0.0, :: or 127.0.0.1 with tcp)")
}

// ForgetDialFailures clears libp2p's dial backoff for every known peer.
// Node calls it when a restarted tor is back: the dials that failed while
// tor was down would otherwise keep the guards unreachable for minutes.
func (o *Overlay) ForgetDialFailures() {
	sw, ok := o.host.Network().(*swarm.Swarm)
	if !ok {
		return
	}
	for _, p := range o.host.Peerstore().Peers() {
		sw.Backoff().Clear(p)
	}
}
