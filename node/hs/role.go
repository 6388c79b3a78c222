package hs

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"

	"cyclecash/node/service"
)

// Role hosts the configured hidden services and dials `.mesh` addresses.
type Role struct {
	hosted []*Hosted
	client *Client
	wg     sync.WaitGroup
}

// Options are a Role's settings beyond its services' entries.
type Options struct {
	// Republish is how often descriptors are re-published; 0 = 30 min.
	Republish time.Duration
}

// New prepares every entry of cfgs (keys loaded or created now, so a bad
// entry fails the start) on n.
func New(h service.Host, cfgs []ServiceConfig, n Net, opt Options) (*Role, error) {
	log := h.Logger().With("sys", "hs")
	r := &Role{client: &Client{Net: n}}
	for _, c := range cfgs {
		hd, err := NewHosted(c, h.DataDir(), n, log, opt.Republish)
		if err != nil {
			return nil, err
		}
		log.Info("hidden service", "name", c.Name, "address", hd.Address())
		r.hosted = append(r.hosted, hd)
	}
	return r, nil
}

// Run serves every hosted service until ctx ends.
func (r *Role) Run(ctx context.Context) {
	for _, h := range r.hosted {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			h.Run(ctx)
		}()
	}
	<-ctx.Done()
	r.wg.Wait()
	for _, h := range r.hosted {
		for _, ln := range h.listeners {
			ln.Close()
		}
	}
}

// Close implements service.Service.
func (r *Role) Close() error { return nil }

// Dial connects to port of a `.mesh` address (the SOCKS5 proxy's dial).
func (r *Role) Dial(ctx context.Context, address string, port uint16) (net.Conn, error) {
	return r.client.Dial(ctx, address, port)
}

// Listeners are the in-process ports whose target is RolePrefix+role, of
// every hosted service: the node serves that role's handler on each.
func (r *Role) Listeners(role string) []*Listener {
	var out []*Listener
	for _, h := range r.hosted {
		for port, target := range h.ports {
			if target == RolePrefix+role {
				out = append(out, h.listeners[port])
			}
		}
	}
	return out
}

// Targets are the role names some port of a hosted service is served by.
func (r *Role) Targets() []string {
	var out []string
	for _, h := range r.hosted {
		for _, target := range h.ports {
			if name, ok := strings.CutPrefix(target, RolePrefix); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// Status lists the hosted services.
func (r *Role) Status() []Status {
	out := make([]Status, 0, len(r.hosted))
	for _, h := range r.hosted {
		out = append(out, h.Status())
	}
	return out
}

var _ service.Service = (*Role)(nil)
