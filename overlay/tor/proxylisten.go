package tor

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// CircuitListener accepts the connections tor forwards to an onion service
// published with PublishCircuits: each must open with tor's PROXY header
// naming a circuit (anything else is closed unread), and comes out of
// Accept as a CircuitConn whose RemoteAddr is the circuit's address
// (fc00:dead:beef:4dad::<hi>:<lo>), so code keyed by the remote address
// (a rate limit) tells Tor clients apart by circuit. Headers are read
// off the accept path with a deadline, at most 64 at a time.
type CircuitListener struct {
	inner   net.Listener
	timeout time.Duration
	conns   chan net.Conn
	sem     chan struct{}
	done    chan struct{}
	once    sync.Once
	err     error // set before done closes
}

// headerTimeout bounds the wait for a connection's PROXY header.
const headerTimeout = 10 * time.Second

// ListenCircuits wraps l (the loopback listener tor forwards to).
func ListenCircuits(l net.Listener) *CircuitListener {
	cl := &CircuitListener{inner: l, timeout: headerTimeout, conns: make(chan net.Conn),
		sem: make(chan struct{}, 64), done: make(chan struct{})}
	go cl.acceptLoop()
	return cl
}

func (l *CircuitListener) acceptLoop() {
	for {
		raw, err := l.inner.Accept()
		if err != nil {
			l.stop(err)
			return
		}
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			raw.Close()
			return
		}
		go func() {
			defer func() { <-l.sem }()
			c, ok := l.handshake(raw)
			if !ok {
				return
			}
			select {
			case l.conns <- c:
			case <-l.done:
				c.Close()
			}
		}()
	}
}

// handshake reads the header; a bad or missing one closes raw.
func (l *CircuitListener) handshake(raw net.Conn) (*CircuitConn, bool) {
	_ = raw.SetReadDeadline(time.Now().Add(l.timeout))
	br := bufio.NewReaderSize(raw, 128)
	h, err := ReadProxyHeader(br)
	id, ok := h.CircuitID()
	if err != nil || !ok {
		raw.Close()
		return nil, false
	}
	_ = raw.SetReadDeadline(time.Time{})
	return &CircuitConn{Conn: raw, r: br, Circuit: id,
		remote: &net.TCPAddr{IP: h.Src, Port: h.SrcPort}}, true
}

func (l *CircuitListener) stop(err error) {
	l.once.Do(func() { l.err = err; close(l.done) })
}

// Accept returns the next connection whose header named a circuit.
func (l *CircuitListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// Close closes the inner listener; connections not yet accepted are closed.
func (l *CircuitListener) Close() error {
	err := l.inner.Close()
	l.stop(net.ErrClosed)
	return err
}

// Addr is the inner listener's address (the onion service's target).
func (l *CircuitListener) Addr() net.Addr { return l.inner.Addr() }

// CircuitConn is a connection from an onion client on a known circuit.
type CircuitConn struct {
	net.Conn
	r       *bufio.Reader // holds any bytes read past the header
	remote  net.Addr
	Circuit uint32 // tor's global identifier of the client's circuit
}

func (c *CircuitConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// RemoteAddr is the circuit's address from the header, not loopback.
func (c *CircuitConn) RemoteAddr() net.Addr { return c.remote }
