package node

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"

	"cyclecash/node/service"
	"cyclecash/overlay"
)

// host is the node as its role services see it (service.Host): circuits
// and direct streams as net.Conn, the control API's mux, the logger, the
// data directory and the figures registry.
type host struct {
	n   *Node
	mux *http.ServeMux

	mu      sync.Mutex
	figures map[string]func(context.Context) any
}

var _ service.Host = (*host)(nil)

func newHost(n *Node) *host {
	return &host{n: n, mux: http.NewServeMux(), figures: map[string]func(context.Context) any{}}
}

func (h *host) Logger() *slog.Logger { return h.n.log }
func (h *host) DataDir() string      { return h.n.cfg.DataDir }

func (h *host) DialCircuit(ctx context.Context, to, svc string) (net.Conn, error) {
	t, err := ParseTarget(to)
	if err != nil {
		return nil, err
	}
	return h.n.DialService(ctx, t, svc)
}

func (h *host) DialDirect(ctx context.Context, to, proto string) (net.Conn, error) {
	name, ok := strings.CutPrefix(to, "role:")
	if !ok {
		return nil, fmt.Errorf("node: direct dial: %q is not role:NAME", to)
	}
	r, err := overlay.ParseRole(name)
	if err != nil {
		return nil, fmt.Errorf("node: direct dial: %w", err)
	}
	return h.n.ov.DialRole(ctx, r, proto)
}

func (h *host) HandleCircuit(svc string, hd func(net.Conn))  { h.n.circ.Handle(svc, hd) }
func (h *host) HandleDirect(proto string, hd func(net.Conn)) { h.n.ov.HandleDirect(proto, hd) }
func (h *host) HandleAPI(pattern string, hd http.Handler)    { h.mux.Handle(pattern, hd) }

func (h *host) Report(name string, f func(context.Context) any) {
	h.mu.Lock()
	h.figures[name] = f
	h.mu.Unlock()
}

func (h *host) Figures(ctx context.Context, names ...string) map[string]any {
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
