// Package demo runs the whole cyclecash system in one process on
// 127.0.0.1 for `cyclecash demo`: a gateway with its ledger, relays, open
// and stealth workers and a buyer, all real nodes (internal/testnet), and
// then the story of one job: the buyer buys units in a cash sale, pays a
// sample job with them, the workers compute it, the open workers are
// credited and the stealth workers paid in tokens, which then circulate
// and are spent at company B's market (market.go).
//
// Policy: the demo takes the same paths a deployment takes (circuits,
// the ledger, the work protocol) and checks every figure it prints; an
// inconsistency is an error, not a footnote. It fakes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"cyclecash/internal/testnet"
	"cyclecash/node"
	"cyclecash/overlay/tor/tortest"
)

// Options shape a demo; zero values mean the defaults noted.
type Options struct {
	Dir      string       // the nodes' data directories (required)
	Wasm     []byte       // the examples/primes module (required)
	Tasks    int          // tasks of the sample job; 0 = 12
	Relays   int          // relay-only nodes; 0 = 6
	Progress io.Writer    // progress lines ("demo: ..."); nil = none
	Step     StepFunc     // progress as steps done of Steps, instead of Progress lines
	Logger   *slog.Logger // the nodes' logs; nil = silent
	Tor      bool         // stealth workers reach their guards through a private Tor network (tor.go)
}

// StepFunc hears of progress: done of total steps, and what happens now.
// A line with the same done (the job's tasks coming in) updates the last.
type StepFunc func(done, total int, line string)

// Steps is the number of steps a demo reports: starting the network (4),
// the job (2), its verification and payment (4), the checks (2).
const Steps = 12

// Demo is a running demo network.
type Demo struct {
	opts    Options
	done    int // progress steps reported
	net     *testnet.Net
	gw      *node.Node
	buyer   *node.Node
	open    []*node.Node
	stealth []*node.Node
	market  *node.Node       // company B's market (market.go)
	tor     *tortest.Network // the private Tor network, with Options.Tor (tor.go)
}

// Start starts the network and waits until every worker has registered
// at the gateway.
func Start(ctx context.Context, opts Options) (*Demo, error) {
	if opts.Dir == "" || len(opts.Wasm) == 0 {
		return nil, errors.New("demo: Options.Dir and Options.Wasm are required")
	}
	opts.Tasks = max(opts.Tasks, 0)
	if opts.Tasks == 0 {
		opts.Tasks = 12
	}
	if opts.Relays == 0 {
		opts.Relays = 6
	}
	d := &Demo{opts: opts}
	if err := d.startCore(ctx); err != nil {
		return nil, err
	}
	if opts.Tor {
		if err := d.startTor(ctx); err != nil {
			d.Close()
			return nil, err
		}
	}
	if err := d.startWorkers(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// startCore starts the relays, the gateway and the buyer, and waits for
// their directories to fill.
func (d *Demo) startCore(ctx context.Context) error {
	r := d.opts.Relays
	d.progress("starting %d relays, a gateway with its ledger and a buyer on 127.0.0.1", r)
	var marketErr error
	net, err := testnet.Start(d.opts.Dir, testnet.Options{N: r + 3, Logger: d.opts.Logger,
		Configure: func(i int, c *node.Config) {
			if i == r+1 {
				c.Socks = "127.0.0.1:0" // the shoppers' way to the market's .mesh site
			}
			if i == r+2 {
				marketErr = marketConfig(c)
			}
			if i == r {
				c.Roles = []string{"relay", "gateway"}
				c.Ledger.Capacity = 10_000_000
				c.Compute.LeaseGrace = time.Second
			}
		}})
	if err == nil {
		err = marketErr
	}
	if err != nil {
		if net != nil {
			net.Close()
		}
		return fmt.Errorf("demo: %w", err)
	}
	d.net, d.gw, d.buyer, d.market = net, net.Nodes[r], net.Nodes[r+1], net.Nodes[r+2]
	wait, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	d.progress("gathering relay directories")
	if err := net.WaitDirectory(wait, r+2); err != nil {
		d.Close()
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// startWorkers adds two open workers (relays too) and two stealth workers
// (client-only: no listening, every request through 3 relays).
func (d *Demo) startWorkers(ctx context.Context) error {
	d.progress("starting 2 open workers and 2 stealth (client-only) workers")
	for i, mode := range []string{node.WorkerOpen, node.WorkerOpen, node.WorkerStealth, node.WorkerStealth} {
		w, err := d.net.Add(i%d.opts.Relays, func(c *node.Config) {
			c.Roles = []string{"relay", "worker"}
			if mode == node.WorkerStealth {
				c.ClientOnly, c.Listen, c.Roles = true, nil, nil
				if d.tor != nil {
					d.torWorker(c)
				}
			}
			c.Compute.Mode, c.Compute.Poll = mode, 100*time.Millisecond
		})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if mode == node.WorkerOpen {
			d.open = append(d.open, w)
		} else {
			d.stealth = append(d.stealth, w)
		}
	}
	wait, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	for _, w := range d.workers() {
		if err := waitRegistered(wait, w); err != nil {
			return err
		}
	}
	d.progress("all 4 workers registered at the gateway (stealth ones through circuits)")
	return nil
}

// waitRegistered waits until w reached the gateway and has a session.
func waitRegistered(ctx context.Context, w *node.Node) error {
	for {
		_, err := w.WorkerAccount(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("demo: a worker never reached the gateway: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (d *Demo) workers() []*node.Node { return append(append([]*node.Node{}, d.open...), d.stealth...) }

// progress reports the next step.
func (d *Demo) progress(format string, args ...any) {
	d.done = min(d.done+1, Steps)
	d.report(fmt.Sprintf(format, args...))
}

// tick reports progress within the current step.
func (d *Demo) tick(format string, args ...any) { d.report(fmt.Sprintf(format, args...)) }

func (d *Demo) report(line string) {
	switch {
	case d.opts.Step != nil:
		d.opts.Step(d.done, Steps, line)
	case d.opts.Progress != nil:
		fmt.Fprintf(d.opts.Progress, "demo: %s\n", line)
	}
}

// Close stops every node.
func (d *Demo) Close() error {
	var err error
	if d.net != nil {
		err = d.net.Close()
	}
	if d.tor != nil {
		d.tor.Close()
	}
	return err
}
