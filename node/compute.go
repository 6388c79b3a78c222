package node

import (
	"context"
	"errors"
	"sync"
	"time"

	"cyclecash/compute"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/network"
)

// computeService is a node's part in the compute market: the gateway's
// scheduler (role gateway), the worker loop (role worker), and the buyer
// client every node offers on its control API. Its methods accept a nil
// receiver, so Node's lifecycle calls them blindly.
type computeService struct {
	gw *computeGateway // role gateway
	wk *computeWorker  // role worker
	// buyer remembers which gateway took each job this node submitted.
	mu      sync.Mutex
	jobs    map[string]Target
	clients map[Target]*workClient
}

// startCompute opens the gateway's scheduler after the ledger is open and
// registers its work service on the mesh and on libp2p; it prepares the
// worker. Nothing is contacted until Run.
func startCompute(n *Node, cfg Config, roles overlay.Role) (*computeService, error) {
	s := &computeService{jobs: map[string]Target{}, clients: map[Target]*workClient{}}
	if roles&overlay.RoleGateway != 0 && n.ledger != nil {
		g, err := openComputeGateway(cfg, n.log.With("sys", "compute"))
		if err != nil {
			return nil, err
		}
		g.attach(n.ledger.Mint(), n.ledger.Handler())
		n.circ.Handle(WorkService, g.serveConn)
		n.ov.Host().SetStreamHandler(WorkProtocol, func(st network.Stream) { g.serveStream(st) })
		s.gw = g
	}
	if roles&overlay.RoleWorker != 0 {
		w, err := newComputeWorker(n, cfg)
		if err != nil {
			s.close()
			return nil, err
		}
		s.wk = w
	}
	return s, nil
}

// run serves the gateway and runs the worker until ctx ends.
func (s *computeService) run(ctx context.Context) {
	if s == nil {
		return
	}
	var wg sync.WaitGroup
	if s.gw != nil {
		wg.Add(1)
		go func() { defer wg.Done(); s.gw.run(ctx) }()
	}
	if s.wk != nil {
		wg.Add(1)
		go func() { defer wg.Done(); s.wk.run(ctx) }()
	}
	wg.Wait()
}

func (s *computeService) close() error {
	if s == nil {
		return nil
	}
	return errors.Join(s.gw.close())
}

// measuredCapacity is the ledger's Ĉ: measured accepted work at a gateway,
// the configured ledger.capacity until compute runs.
func (n *Node) measuredCapacity(now time.Time) uint64 {
	n.mu.Lock()
	s := n.compute
	n.mu.Unlock()
	if s == nil || s.gw == nil {
		return n.cfg.Ledger.Capacity
	}
	return s.gw.cap.At(now)
}

// ErrNotWorker is returned for worker queries to a node without role worker.
var ErrNotWorker = errors.New("node: not a worker")

// WorkerAccount asks the gateway what this worker has earned.
func (n *Node) WorkerAccount(ctx context.Context) (Account, error) {
	if n.compute.wk == nil {
		return Account{}, ErrNotWorker
	}
	return n.compute.wk.Account(ctx)
}

// WorkerWallet reports a stealth worker's wallet: units held and payout
// quotes not yet minted.
func (n *Node) WorkerWallet() (balance uint64, pending int, err error) {
	if n.compute.wk == nil || n.compute.wk.pay == nil {
		return 0, 0, ErrNotWorker
	}
	p := n.compute.wk.pay
	return p.Balance(), p.Pending(), nil
}

// ComputeQueue is a gateway's task queue, for tests and operator tools;
// nil when the node is not a gateway.
func (n *Node) ComputeQueue() *compute.Queue {
	if n.compute.gw == nil {
		return nil
	}
	return n.compute.gw.queue
}
