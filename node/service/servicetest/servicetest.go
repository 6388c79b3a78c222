// Package servicetest is an in-memory service.Host for tests of role
// services (after wireguard-go's conn/bindtest): hosts on one Net reach
// each other's circuit and direct handlers over net.Pipe, the control API
// is a ServeMux the test calls directly, and figures are kept in a map.
package servicetest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"

	"cyclecash/node/service"
)

// ErrNoHandler is returned by a dial that no host on the Net handles.
var ErrNoHandler = errors.New("servicetest: no host handles that service")

// Net connects the Hosts made by NewHost.
type Net struct {
	mu    sync.Mutex
	hosts []*Host
}

// Host is one in-memory node. Role names what DialCircuit and DialDirect
// to "role:ROLE" reach; Name is its "peer ID".
type Host struct {
	net  *Net
	name string
	role string
	dir  string
	log  *slog.Logger
	// API is the control API mux: tests serve requests on it directly.
	API *http.ServeMux

	mu       sync.Mutex
	accepted map[string]int // "circuit:NAME" or "direct:PROTO" -> conns handed to the handler
	circuit  map[string]func(net.Conn)
	direct   map[string]func(net.Conn)
	figures  map[string]func(context.Context) any
}

var _ service.Host = (*Host)(nil)

// NewHost adds a host named name with role (e.g. "gateway") and data
// directory dir to the net.
func (n *Net) NewHost(name, role, dir string) *Host {
	h := &Host{net: n, name: name, role: role, dir: dir, log: slog.New(slog.DiscardHandler),
		API: http.NewServeMux(), circuit: map[string]func(net.Conn){}, direct: map[string]func(net.Conn){},
		figures: map[string]func(context.Context) any{}, accepted: map[string]int{}}
	n.mu.Lock()
	n.hosts = append(n.hosts, h)
	n.mu.Unlock()
	return h
}

func (h *Host) Logger() *slog.Logger { return h.log }
func (h *Host) DataDir() string      { return h.dir }

func (h *Host) DialCircuit(ctx context.Context, to, svc string) (net.Conn, error) {
	return h.net.dial(h, to, "circuit:"+svc, func(o *Host) func(net.Conn) { return o.circuit[svc] })
}

func (h *Host) DialDirect(ctx context.Context, to, proto string) (net.Conn, error) {
	return h.net.dial(h, to, "direct:"+proto, func(o *Host) func(net.Conn) { return o.direct[proto] })
}

// dial finds a host other than from matching to whose handler pick
// returns, and hands it one end of a pipe.
func (n *Net) dial(from *Host, to, kind string, pick func(*Host) func(net.Conn)) (net.Conn, error) {
	n.mu.Lock()
	hosts := append([]*Host(nil), n.hosts...)
	n.mu.Unlock()
	for _, o := range hosts {
		if o == from || (to != o.name && to != "role:"+o.role) {
			continue
		}
		o.mu.Lock()
		hd := pick(o)
		if hd != nil {
			o.accepted[kind]++
		}
		o.mu.Unlock()
		if hd == nil {
			continue
		}
		a, b := net.Pipe()
		go hd(b)
		return a, nil
	}
	return nil, ErrNoHandler
}

func (h *Host) HandleCircuit(svc string, hd func(net.Conn)) {
	h.mu.Lock()
	h.circuit[svc] = hd
	h.mu.Unlock()
}

func (h *Host) HandleDirect(proto string, hd func(net.Conn)) {
	h.mu.Lock()
	h.direct[proto] = hd
	h.mu.Unlock()
}

func (h *Host) HandleAPI(pattern string, hd http.Handler) { h.API.Handle(pattern, hd) }

func (h *Host) Report(name string, f func(context.Context) any) {
	h.mu.Lock()
	h.figures[name] = f
	h.mu.Unlock()
}

func (h *Host) Figures(ctx context.Context, names ...string) map[string]any {
	h.mu.Lock()
	fs := make(map[string]func(context.Context) any, len(h.figures))
	for k, f := range h.figures {
		if len(names) == 0 || slices.Contains(names, k) {
			fs[k] = f
		}
	}
	h.mu.Unlock()
	out := make(map[string]any, len(fs))
	for k, f := range fs {
		out[k] = f(ctx)
	}
	return out
}

// Accepted counts the streams handed to h's handler of kind: "circuit:NAME"
// or "direct:PROTO". Tests assert which way a service reached another.
func (h *Host) Accepted(kind string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.accepted[kind]
}
