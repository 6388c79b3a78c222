package hs

import (
	"net"
	"sync"
)

// RolePrefix starts a port target that is not a socket but a role of this
// node serving the port in process ("80 role:market"): its streams go to
// the Listener the node takes from Role.Listeners, with no loopback port.
const RolePrefix = "role:"

// listenerBacklog bounds the streams waiting for Accept; past it a stream
// is closed at once, so a client cannot queue memory behind a slow role.
const listenerBacklog = 64

// Listener is an in-process port of a hosted service: each stream a
// client opens to it is answered CONNECTED and handed to Accept. Its
// conns have no peer address (RemoteAddr is "mesh").
type Listener struct {
	addr  meshAddr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var _ net.Listener = (*Listener)(nil)

func newListener(addr string) *Listener {
	return &Listener{addr: meshAddr(addr), conns: make(chan net.Conn, listenerBacklog), done: make(chan struct{})}
}

// Accept waits for the next stream.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and closes the streams still waiting; later streams
// to the port are closed at once.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	for {
		select {
		case c := <-l.conns:
			c.Close()
		default:
			return nil
		}
	}
}

// Addr is ADDRESS.mesh:PORT.
func (l *Listener) Addr() net.Addr { return l.addr }

// offer hands c to Accept: false when the listener is closed or its
// backlog full.
func (l *Listener) offer(c net.Conn) bool {
	select {
	case <-l.done:
		return false
	default:
	}
	select {
	case l.conns <- c:
		return true
	default:
		return false
	}
}
