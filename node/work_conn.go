package node

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
)

// Adapters that let net/http run over libp2p streams and circuit streams:
// the gateway serves one http.Server on a listener fed by both, and
// clients use an http.Client whose transport dials a stream.

// streamConn is a libp2p stream as a net.Conn. Its addresses are opaque:
// the work handler never learns or records where a worker is.
type streamConn struct{ network.Stream }

var _ net.Conn = streamConn{}

type opaqueAddr string

func (a opaqueAddr) Network() string { return string(a) }
func (a opaqueAddr) String() string  { return string(a) }

func (c streamConn) LocalAddr() net.Addr  { return opaqueAddr("libp2p") }
func (c streamConn) RemoteAddr() net.Addr { return opaqueAddr("libp2p") }

// connListener is a net.Listener fed by Put: streams accepted elsewhere
// (a libp2p stream handler, an onion service) become HTTP connections.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var _ net.Listener = (*connListener)(nil)

func newConnListener() *connListener {
	return &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Put hands c to Accept, or closes it if the listener is closed.
func (l *connListener) Put(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return opaqueAddr("work") }

// dialFunc opens one stream to the far side.
type dialFunc func(ctx context.Context) (net.Conn, error)

// httpOver returns an HTTP client whose every connection is a stream from
// dial. Keep-alive reuses a stream for later requests, so a worker pays
// for opening a stream once, not per task.
func httpOver(dial dialFunc, conns int) *http.Client {
	tr := &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}
