package hs

import (
	"context"
	"net"
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
}

// Close implements service.Service.
func (r *Role) Close() error { return nil }

// Dial connects to port of a `.mesh` address (the SOCKS5 proxy's dial).
func (r *Role) Dial(ctx context.Context, address string, port uint16) (net.Conn, error) {
	return r.client.Dial(ctx, address, port)
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
