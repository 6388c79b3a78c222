package node

import (
	"context"
	"errors"
	"net/http"

	"cyclecash/compute"

	"cyclecash/node/buyer"
	"cyclecash/node/dashboard"
	"cyclecash/node/gateway"
	nmarket "cyclecash/node/market"
	"cyclecash/node/mint"
	"cyclecash/node/probe"
	"cyclecash/node/service"
	"cyclecash/node/worker"
	"cyclecash/overlay"
)

// buildServices builds the role services the configured roles need, in
// order (Close closes them in reverse); a failure leaves the ones built in
// n.services for Close. Adding a subsystem is one package and one line
// here; Run, Close and the control API take it from n.services.
func (n *Node) buildServices(roles overlay.Role) error {
	h, cfg := n.host, n.cfg
	h.Report(service.FiguresNode, func(context.Context) any { return n.figures() })
	if !cfg.ClientOnly {
		h.Report(service.FiguresRelay, func(context.Context) any { return n.relayFigures() })
	}
	has := func(r overlay.Role) bool { return roles&r != 0 }
	for _, b := range []struct {
		on    bool
		build func() error
	}{
		{has(overlay.RoleGateway), n.buildGateway}, // the gateway and the mint: the two cross-links
		{has(overlay.RoleMarket), func() error { return n.start(nmarket.Start(h, cfg.Market)) }},
		{has(overlay.RoleWorker), func() error { return n.start(worker.New(h, cfg.Compute, cfg.WorkerForTest)) }},
		{true, n.buildHS}, // hidden services and SOCKS5 (hsnet.go)
		{true, func() error { return n.start(buyer.New(h), nil) }},
		{true, func() error { return n.start(probe.New(h, probeCircuits{n}), nil) }},
		{true, func() error { return n.start(dashboard.New(h), nil) }},
		{cfg.Metrics != "", n.startMetrics}, // metricsconfig.go
	} {
		if !b.on {
			continue
		}
		if err := b.build(); err != nil {
			return err
		}
	}
	return nil
}

// buildGateway wires the two cross-links as constructor arguments: the
// mint reads the gateway's measured capacity (so the gateway's store opens
// first), and the gateway is then attached to the mint.
func (n *Node) buildGateway() error {
	n.circ.Handle(overlay.EchoService, echo)
	n.circ.Handle(overlay.DiscardService, probe.ServeDiscard)
	cfg := n.cfg
	gc := gateway.Config{DataDir: cfg.DataDir, LeaseGrace: cfg.Compute.LeaseGrace, Floor: cfg.Ledger.Capacity}
	if cfg.Ledger.Store == StorePostgres {
		gc.Postgres = cfg.Ledger.Postgres
	}
	g, err := gateway.Open(gc, n.log.With("sys", "compute"))
	if err != nil {
		return err
	}
	n.add(g)
	m, err := mint.Start(n.host, cfg.Ledger, g.Capacity)
	if err != nil {
		return err
	}
	n.add(m)
	g.Attach(n.host, m.Mint(), m.Handler())
	return nil
}

// start adds s, the result of a service's constructor, unless err.
func (n *Node) start(s service.Service, err error) error {
	if err != nil {
		return err
	}
	n.add(s)
	return nil
}

func (n *Node) add(s service.Service) service.Service {
	n.services = append(n.services, s)
	return s
}

// find returns the node's service of type T, or T's zero value (nil) when
// the node's roles built none.
func find[T service.Service](n *Node) T {
	for _, s := range n.services {
		if t, ok := s.(T); ok {
			return t
		}
	}
	var zero T
	return zero
}

// ErrNotWorker is returned for worker queries to a node without role worker.
var ErrNotWorker = errors.New("node: not a worker")

// WorkerAccount asks the gateway what this worker has earned.
func (n *Node) WorkerAccount(ctx context.Context) (Account, error) {
	w := find[*worker.Worker](n)
	if w == nil {
		return Account{}, ErrNotWorker
	}
	return w.Account(ctx)
}

// WorkerWallet reports a stealth worker's wallet: units held and payout
// quotes not yet minted.
func (n *Node) WorkerWallet() (balance uint64, pending int, err error) {
	w := find[*worker.Worker](n)
	if w == nil {
		return 0, 0, ErrNotWorker
	}
	b, p, ok := w.Wallet()
	if !ok {
		return 0, 0, ErrNotWorker
	}
	return b, p, nil
}

// SubmitJob sends a job with its payment to a gateway through a circuit
// and returns the job ID the gateway assigned.
func (n *Node) SubmitJob(ctx context.Context, req *JobRequest) (string, error) {
	return find[*buyer.Buyer](n).SubmitJob(ctx, req)
}

// ComputeQueue is a gateway's task queue, for tests and operator tools;
// nil when the node is not a gateway.
func (n *Node) ComputeQueue() *compute.Queue {
	if g := find[*gateway.Gateway](n); g != nil {
		return g.Queue()
	}
	return nil
}

// Ledger returns the gateway's open ledger, or nil when the node is not
// a gateway.
func (n *Node) Ledger() *Ledger {
	if m := find[*mint.Service](n); m != nil {
		return m.Ledger
	}
	return nil
}

// LedgerHandler returns the gateway's Cashu API handler, or nil when the
// node is not a gateway.
func (n *Node) LedgerHandler() http.Handler {
	if m := find[*mint.Service](n); m != nil {
		return m.Handler()
	}
	return nil
}

// LedgerAddr is the address the Cashu API is served on over HTTP, or ""
// when the node serves none.
func (n *Node) LedgerAddr() string {
	if m := find[*mint.Service](n); m != nil {
		return m.Addr()
	}
	return ""
}

// OpenLedger opens the ledger of the node whose configuration is cfg, for
// operator tools while the node is stopped (see mint.Open).
func OpenLedger(ctx context.Context, cfg Config, create bool) (*Ledger, error) {
	cfg = cfg.WithDefaults()
	return mint.Open(ctx, cfg.DataDir, cfg.Ledger, create, nil)
}
