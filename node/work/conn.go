package work

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Adapters that let net/http run over direct streams and circuit streams:
// the gateway serves one http.Server on a listener fed by both, and
// clients use an http.Client whose transport dials a stream.

type opaqueAddr string

func (a opaqueAddr) Network() string { return string(a) }
func (a opaqueAddr) String() string  { return string(a) }

// Listener is a net.Listener fed by Put: streams accepted elsewhere
// (a direct stream handler, an onion service) become HTTP connections.
type Listener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var _ net.Listener = (*Listener)(nil)

// NewListener returns an open Listener.
func NewListener() *Listener {
	return &Listener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Put hands c to Accept, or closes it if the listener is closed.
func (l *Listener) Put(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *Listener) Addr() net.Addr { return opaqueAddr("work") }

// DialFunc opens one stream to the far side.
type DialFunc func(ctx context.Context) (net.Conn, error)

// httpOver returns an HTTP client whose every connection is a stream from
// dial. Keep-alive reuses a stream for later requests, so a worker pays
// for opening a stream once, not per task.
func httpOver(dial DialFunc, conns int) *http.Client {
	tr := &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}
