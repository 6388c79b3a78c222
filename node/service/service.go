package service

import (
	"context"
	"log/slog"
	"net"
	"net/http"
)

// Service is a role service as node runs it: built (binding what it
// listens on, so a bad address fails the start), then Run until the
// node's context ends, then Close, in reverse order of construction.
type Service interface {
	// Run serves until ctx ends.
	Run(ctx context.Context)
	// Close releases what the service holds; Run has returned (or never
	// started, when a later service failed to build).
	Close() error
}

// Gateway is the destination of DialCircuit and DialDirect meaning any
// node with role gateway.
const Gateway = "role:gateway"

// Host is what a node offers its services.
type Host interface {
	// Logger is the node's logger; services add their "sys" attribute.
	Logger() *slog.Logger
	// DataDir is the node's data directory; each service keeps its own
	// files under documented names in it.
	DataDir() string

	// DialCircuit opens a stream to the named onion service at to ("PEERID"
	// or "role:NAME", such as Gateway) through a circuit, reusing an open
	// one. A stream that breaks later fails Read or Write; the caller dials
	// again and repeats its request.
	DialCircuit(ctx context.Context, to, service string) (net.Conn, error)
	// DialDirect opens a stream speaking protocol straight to a node of to
	// ("role:NAME") from the directory, without onion routing.
	DialDirect(ctx context.Context, to, protocol string) (net.Conn, error)
	// HandleCircuit serves the named onion service on circuits ending at
	// this node; the conn's RemoteAddr is the last relay, never the client.
	HandleCircuit(service string, h func(net.Conn))
	// HandleDirect serves protocol on direct streams; addresses are opaque.
	HandleDirect(protocol string, h func(net.Conn))

	// HandleAPI adds an endpoint (a net/http ServeMux pattern) to the
	// node's control API, which listens only on loopback or a unix socket.
	HandleAPI(pattern string, h http.Handler)

	// Report registers the figures a service shows under name (one of the
	// Figures* names); the dashboard and metrics call f when they render.
	Report(name string, f func(ctx context.Context) any)
	// Figures collects the figures reported under names (all of them
	// when names is empty) now, by name.
	Figures(ctx context.Context, names ...string) map[string]any
}
