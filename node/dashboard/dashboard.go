// Package dashboard is a node's local web page, served by the control API
// at "/" (page.go renders it) and as JSON at /v1/dashboard. It shows the
// node's own view only: its peer ID, roles, directory, guards (by peer
// ID), circuits (by hop count), and one section of charts per role whose
// figures are reported (roles.go): gateway, worker, market, relay. Rates
// are drawn from a ring of samples of the figures taken on a tick
// (sampler.go), never from totals since start.
//
// Invariants: it renders the figures services report (service.Host.Report)
// and reads no service's private state; it never names a network address,
// this node's or a peer's; the page runs no script (its CSP forbids them).
package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"cyclecash/node/service"
)

// Dashboard is everything the page shows.
type Dashboard struct {
	Peer      string                  `json:"peer"`
	Roles     []string                `json:"roles"`
	Uptime    string                  `json:"uptime"`
	Directory int                     `json:"directory"`
	Guards    []service.Guard         `json:"guards"`
	Circuits  []service.Circuit       `json:"circuits"`
	Traffic   []Traffic               `json:"traffic"` // oldest first, the last taken now
	Gateway   *service.GatewayFigures `json:"gateway,omitempty"`
	Worker    *service.WorkerFigures  `json:"worker,omitempty"`
	Ledger    *service.LedgerFigures  `json:"ledger,omitempty"`
	Relay     *service.RelayFigures   `json:"relay,omitempty"`
	Market    *service.MarketFigures  `json:"market,omitempty"`
}

// Page is the dashboard service: the traffic meter and the page's
// endpoints on the control API.
type Page struct {
	h     service.Host
	meter *trafficMeter
	rates *sampler
}

// New registers the page and its JSON on h's control API; Run samples
// traffic.
func New(h service.Host) *Page { return newPage(h, time.Now) }

// newPage is New with the rate sampler's clock.
func newPage(h service.Host, now func() time.Time) *Page {
	d := &Page{h: h, meter: newTrafficMeter(func() service.NodeFigures { return nodeFigures(h) }),
		rates: newSampler(func(ctx context.Context) map[string]any { return h.Figures(ctx) }, now)}
	h.HandleAPI("GET /{$}", http.HandlerFunc(d.servePage))
	h.HandleAPI("GET /v1/dashboard", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(d.collect(r.Context()))
	}))
	return d
}

// Run samples traffic and the rates' figures until ctx ends.
func (d *Page) Run(ctx context.Context) {
	t := time.NewTicker(rateEvery)
	defer t.Stop()
	go d.meter.run(ctx.Done())
	d.rates.run(ctx, t.C)
}

// Close releases nothing.
func (d *Page) Close() error { return nil }

// nodeFigures reads the node's own figures only (not the worker's, which
// asks the gateway).
func nodeFigures(h service.Host) service.NodeFigures {
	f, _ := h.Figures(context.Background(), service.FiguresNode)[service.FiguresNode].(service.NodeFigures)
	return f
}

// collect gathers the page's figures now.
func (d *Page) collect(ctx context.Context) Dashboard { return d.collectFrom(d.h.Figures(ctx)) }

// collectFrom is collect of figures read already.
func (d *Page) collectFrom(figs map[string]any) Dashboard {
	st, _ := figs[service.FiguresNode].(service.NodeFigures)
	db := Dashboard{Peer: st.Peer, Roles: st.Roles, Uptime: st.Uptime, Directory: st.Directory,
		Guards: st.Guards, Circuits: st.Circuits, Traffic: d.meter.samples(time.Now())}
	if db.Guards == nil {
		db.Guards = []service.Guard{}
	}
	if db.Circuits == nil {
		db.Circuits = []service.Circuit{}
	}
	if g, ok := figs[service.FiguresGateway].(service.GatewayFigures); ok {
		db.Gateway = &g
	}
	if w, ok := figs[service.FiguresWorker].(service.WorkerFigures); ok {
		db.Worker = &w
	}
	if l, ok := figs[service.FiguresLedger].(service.LedgerFigures); ok {
		db.Ledger = &l
	}
	if r, ok := figs[service.FiguresRelay].(service.RelayFigures); ok {
		db.Relay = &r
	}
	if m, ok := figs[service.FiguresMarket].(service.MarketFigures); ok {
		db.Market = &m
	}
	return db
}
