package overlay

import (
	"context"
	"errors"
	"net"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Direct streams: the counterpart of a circuit's Dial and Onion.Handle for
// services reached without onion routing (open workers). A direct stream is
// a net.Conn, so no role service imports libp2p; its addresses are opaque,
// so a service never learns or records where its peer is.

// ErrNoDirectPeer is returned by DialRole when no node of the role in the
// directory accepted a stream.
var ErrNoDirectPeer = errors.New("overlay: no reachable peer of that role in the directory")

// DialRole opens a direct stream speaking protocol to the first node of
// role in the directory (other than this one) that accepts it.
func (o *Overlay) DialRole(ctx context.Context, role Role, proto string) (net.Conn, error) {
	for _, d := range o.Directory().Live() {
		if d.Roles&role == 0 || d.Peer == o.ID() {
			continue
		}
		if err := o.host.Connect(ctx, peer.AddrInfo{ID: d.Peer, Addrs: d.Addrs}); err != nil {
			continue
		}
		if s, err := o.host.NewStream(ctx, d.Peer, protocol.ID(proto)); err == nil {
			return directConn{s}, nil
		}
	}
	return nil, ErrNoDirectPeer
}

// HandleDirect serves protocol on direct streams: h gets one net.Conn per
// stream, whose addresses are opaque.
func (o *Overlay) HandleDirect(proto string, h func(net.Conn)) {
	o.host.SetStreamHandler(protocol.ID(proto), func(s network.Stream) { h(directConn{s}) })
}

// directConn is a libp2p stream as a net.Conn with opaque addresses.
type directConn struct{ network.Stream }

var _ net.Conn = directConn{}

type opaqueAddr string

func (a opaqueAddr) Network() string { return string(a) }
func (a opaqueAddr) String() string  { return string(a) }

func (c directConn) LocalAddr() net.Addr  { return opaqueAddr("direct") }
func (c directConn) RemoteAddr() net.Addr { return opaqueAddr("direct") }
