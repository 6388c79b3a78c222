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
// order; a failure leaves the ones built in n.services for Close. Adding a
// subsystem is one package and one line here.
//
// The two cross-links are constructor arguments: the mint reads the
// gateway's measured capacity (so the gateway's store opens first), and the
// gateway is then attached to the mint.
func (n *Node) buildServices(roles overlay.Role) error {
	h, cfg := n.host, n.cfg
	h.Report(service.FiguresNode, func(context.Context) any { return n.figures() })
	if !cfg.ClientOnly {
		h.Report(service.FiguresRelay, func(context.Context) any { return n.relayFigures() })
	}
	if roles&overlay.RoleGateway != 0 {
		n.circ.Handle(overlay.EchoService, echo)
		gc := gateway.Config{DataDir: cfg.DataDir, LeaseGrace: cfg.Compute.LeaseGrace, Floor: cfg.Ledger.Capacity}
		if cfg.Ledger.Store == StorePostgres {
			gc.Postgres = cfg.Ledger.Postgres
		}
		g, err := gateway.Open(gc, n.log.With("sys", "compute"))
		if err != nil {
			return err
		}
		n.add(g)
		m, err := mint.Start(h, cfg.Ledger, g.Capacity)
		if err != nil {
			return err
		}
		n.add(m)
		g.Attach(h, m.Mint(), m.Handler())
		n.mint, n.gateway = m, g
	}
	if roles&overlay.RoleMarket != 0 {
		m, err := nmarket.Start(h, cfg.Market)
		if err != nil {
			return err
		}
		n.add(m)
	}
	if roles&overlay.RoleWorker != 0 {
		w, err := worker.New(h, cfg.Compute, cfg.WorkerForTest)
		if err != nil {
			return err
		}
		n.worker = n.add(w).(*worker.Worker)
	}
	if err := n.buildHS(); err != nil { // hsnet.go
		return err
	}
	n.buyer = n.add(buyer.New(h)).(*buyer.Buyer)
	n.add(probe.New(h, probeCircuits{n}))
	n.add(dashboard.New(h))
	if err := n.startMetrics(); err != nil {
		return err
	}
	return nil
}

func (n *Node) add(s service.Service) service.Service {
	n.services = append(n.services, s)
	return s
}

// ErrNotWorker is returned for worker queries to a node without role worker.
var ErrNotWorker = errors.New("node: not a worker")

// WorkerAccount asks the gateway what this worker has earned.
func (n *Node) WorkerAccount(ctx context.Context) (Account, error) {
	if n.worker == nil {
		return Account{}, ErrNotWorker
	}
	return n.worker.Account(ctx)
}

// WorkerWallet reports a stealth worker's wallet: units held and payout
// quotes not yet minted.
func (n *Node) WorkerWallet() (balance uint64, pending int, err error) {
	if n.worker == nil {
		return 0, 0, ErrNotWorker
	}
	b, p, ok := n.worker.Wallet()
	if !ok {
		return 0, 0, ErrNotWorker
	}
	return b, p, nil
}

// SubmitJob sends a job with its payment to a gateway through a circuit
// and returns the job ID the gateway assigned.
func (n *Node) SubmitJob(ctx context.Context, req *JobRequest) (string, error) {
	return n.buyer.SubmitJob(ctx, req)
}

// ComputeQueue is a gateway's task queue, for tests and operator tools;
// nil when the node is not a gateway.
func (n *Node) ComputeQueue() *compute.Queue {
	if n.gateway == nil {
		return nil
	}
	return n.gateway.Queue()
}

// Ledger returns the gateway's open ledger, or nil when the node is not
// a gateway.
func (n *Node) Ledger() *Ledger {
	if n.mint == nil {
		return nil
	}
	return n.mint.Ledger
}

// LedgerHandler returns the gateway's Cashu API handler, or nil when the
// node is not a gateway.
func (n *Node) LedgerHandler() http.Handler {
	if n.mint == nil {
		return nil
	}
	return n.mint.Handler()
}

// LedgerAddr is the address the Cashu API is served on over HTTP, or ""
// when the node serves none.
func (n *Node) LedgerAddr() string {
	if n.mint == nil {
		return ""
	}
	return n.mint.Addr()
}

// OpenLedger opens the ledger of the node whose configuration is cfg, for
// operator tools while the node is stopped (see mint.Open).
func OpenLedger(ctx context.Context, cfg Config, create bool) (*Ledger, error) {
	cfg = cfg.WithDefaults()
	return mint.Open(ctx, cfg.DataDir, cfg.Ledger, create, nil)
}
