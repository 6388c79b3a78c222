package tor

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/transport"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// Transport is a libp2p transport that dials TCP multiaddrs
// (/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>) and /onion3/<id>:<port>
// through tor, one circuit per remote peer, and upgrades the stream like
// libp2p's TCP transport (security, muxer). It does not listen: a node
// reachable over Tor publishes its TCP listener with Tor.Publish. Install
// it instead of the TCP transport:
//
//	libp2p.New(libp2p.Transport(tor.NewTransport(t)), ...)
type Transport struct {
	tor   Dialer
	up    transport.Upgrader
	rcmgr network.ResourceManager
}

var (
	_ transport.Transport    = (*Transport)(nil)
	_ transport.SkipResolver = (*Transport)(nil)
)

// NewTransport returns a constructor for libp2p.Transport; t is a Tor or
// a Later whose dials wait for bootstrap.
func NewTransport(t Dialer) func(transport.Upgrader, network.ResourceManager) (*Transport, error) {
	return func(up transport.Upgrader, rcmgr network.ResourceManager) (*Transport, error) {
		if rcmgr == nil {
			rcmgr = &network.NullResourceManager{}
		}
		return &Transport{tor: t, up: up, rcmgr: rcmgr}, nil
	}
}

// Dial opens a libp2p connection to p at raddr through tor.
func (tr *Transport) Dial(ctx context.Context, raddr ma.Multiaddr, p peer.ID) (transport.CapableConn, error) {
	hostport, err := DialTarget(raddr)
	if err != nil {
		return nil, err
	}
	scope, err := tr.rcmgr.OpenConnection(network.DirOutbound, true, raddr)
	if err != nil {
		return nil, err
	}
	cc, err := tr.dial(ctx, raddr, hostport, p, scope)
	if err != nil {
		scope.Done()
		return nil, err
	}
	return cc, nil
}

func (tr *Transport) dial(ctx context.Context, raddr ma.Multiaddr, hostport string, p peer.ID, scope network.ConnManagementScope) (transport.CapableConn, error) {
	if err := scope.SetPeer(p); err != nil {
		return nil, err
	}
	isolation := "peer:" + p.String()
	if p == "" {
		isolation = ""
	}
	c, err := tr.tor.Dial(ctx, hostport, isolation)
	if err != nil {
		return nil, err
	}
	local, err := manet.FromNetAddr(c.LocalAddr())
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("tor: local address: %w", err)
	}
	cc, err := tr.up.Upgrade(ctx, tr, &maConn{Conn: c, local: local, remote: raddr}, network.DirOutbound, p, scope)
	if err != nil {
		c.Close()
		return nil, err
	}
	return cc, nil
}

// CanDial reports whether raddr is a form DialTarget accepts.
func (tr *Transport) CanDial(raddr ma.Multiaddr) bool {
	_, err := DialTarget(raddr)
	return err == nil
}

// SkipResolve keeps libp2p from resolving /dns names locally: tor's exit
// resolves them, so no DNS query leaves from here.
func (tr *Transport) SkipResolve(context.Context, ma.Multiaddr) bool { return true }

// Listen is not supported; publish a TCP listener as an onion service.
func (tr *Transport) Listen(ma.Multiaddr) (transport.Listener, error) {
	return nil, fmt.Errorf("%w: the tor transport only dials; publish a tcp listener with Publish", ErrBadAddr)
}

// Protocols are the terminal protocols it dials.
func (tr *Transport) Protocols() []int { return []int{ma.P_TCP, ma.P_ONION3} }

// Proxy is false: the swarm picks dial transports by CanDial.
func (tr *Transport) Proxy() bool { return false }

// DialTarget turns a multiaddr into the host:port tor's SOCKS port gets:
// an IP or DNS name with a TCP port, or an onion3 service. Anything else
// (UDP, QUIC, circuit relays, trailing components) is refused.
func DialTarget(m ma.Multiaddr) (string, error) {
	if m == nil {
		return "", fmt.Errorf("%w: empty multiaddr", ErrBadAddr)
	}
	if id, err := m.ValueForProtocol(ma.P_ONION3); err == nil {
		if len(m) != 1 {
			return "", fmt.Errorf("%w: onion3 with extra components", ErrBadAddr)
		}
		sid, port, ok := strings.Cut(id, ":")
		if !ok {
			return "", fmt.Errorf("%w: onion3 without port", ErrBadAddr)
		}
		return checkedTarget(strings.ToLower(sid)+".onion", port)
	}
	if len(m) != 2 || m[1].Code() != ma.P_TCP {
		return "", fmt.Errorf("%w: not a tcp or onion3 multiaddr", ErrBadAddr)
	}
	switch m[0].Code() {
	case ma.P_IP4, ma.P_IP6, ma.P_DNS, ma.P_DNS4, ma.P_DNS6:
		return checkedTarget(m[0].Value(), m[1].Value())
	}
	return "", fmt.Errorf("%w: not a tcp or onion3 multiaddr", ErrBadAddr)
}

// checkedTarget joins host and port, refusing port 0 and empty hosts.
func checkedTarget(host, port string) (string, error) {
	hp := net.JoinHostPort(host, port)
	if _, _, err := splitHostPort(hp); err != nil || host == "" {
		return "", fmt.Errorf("%w: bad host or port", ErrBadAddr)
	}
	return hp, nil
}

// maConn is a tor stream as a manet.Conn: the remote address is the one
// dialled (what the peer is to us), the local one our socket to tor.
type maConn struct {
	net.Conn
	local, remote ma.Multiaddr
}

func (c *maConn) LocalMultiaddr() ma.Multiaddr  { return c.local }
func (c *maConn) RemoteMultiaddr() ma.Multiaddr { return c.remote }
