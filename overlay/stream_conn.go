package overlay

import (
	"net"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The net.Conn odds and ends of Stream: addresses and deadlines.

// PeerAddr is a net.Addr naming a peer by ID only; streams never expose a
// network address.
type PeerAddr struct{ ID peer.ID }

// Network implements net.Addr.
func (PeerAddr) Network() string { return "cyclecash" }

// String implements net.Addr.
func (a PeerAddr) String() string { return a.ID.String() }

// LocalAddr is this node's peer ID.
func (s *Stream) LocalAddr() net.Addr { return PeerAddr{s.o.ov.ID()} }

// RemoteAddr is Peer as a net.Addr.
func (s *Stream) RemoteAddr() net.Addr { return PeerAddr{s.peer} }

// SetDeadline sets both deadlines.
func (s *Stream) SetDeadline(t time.Time) error {
	s.SetReadDeadline(t)
	return s.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline and wakes a blocked Read.
func (s *Stream) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	s.rdl = t
	s.mu.Unlock()
	s.wakeReader()
	return nil
}

// SetWriteDeadline sets the write deadline and wakes a blocked Write.
func (s *Stream) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	s.wdl = t
	s.mu.Unlock()
	s.wakeWriter()
	return nil
}
