package demo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// The sample job: prime counts over consecutive ranges of taskWidth
// numbers, each task with a budget of unitsPerTask units.
const (
	taskWidth    = 20_000
	unitsPerTask = 2
	// meshLedger is the gateway's Cashu API as reached through a circuit
	// to its work service (the host part is never resolved).
	meshLedger = "http://gateway/ledger"
)

// meshClient is an HTTP client whose every connection is a stream
// through a fresh or cached circuit from n to the gateway's work service:
// the gateway sees the last relay, never n.
func meshClient(n *node.Node) (*http.Client, error) {
	t, err := node.ParseTarget("role:gateway")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return n.DialService(ctx, t, node.WorkService)
	}, MaxConnsPerHost: 2}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, nil
}

// buy is the buyer's cash sale: the buyer's wallet asks for a quote, the
// gateway's operator records the payment, the wallet mints the units and
// packs them in one token.
func (d *Demo) buy(ctx context.Context, amount uint64) (string, error) {
	hc, err := meshClient(d.buyer)
	if err != nil {
		return "", err
	}
	w, err := wallet.Create(filepath.Join(d.opts.Dir, "buyer-wallet"), meshLedger, hc, nil)
	if err != nil {
		return "", fmt.Errorf("demo: buyer wallet: %w", err)
	}
	q, err := w.Buy(ctx, amount)
	if err != nil {
		return "", fmt.Errorf("demo: buying units: %w", err)
	}
	d.progress("buyer asked for %d units (quote %s); the operator records the cash payment", amount, q.ID)
	if _, err := d.gw.Ledger().PayQuote(ctx, q.ID); err != nil {
		return "", fmt.Errorf("demo: paying the quote: %w", err)
	}
	if _, err := w.Mint(ctx, q.ID); err != nil {
		return "", fmt.Errorf("demo: minting: %w", err)
	}
	return w.Send(ctx, amount, "")
}

// submit sends the sample job through the buyer node's control API, as
// `cyclecash job submit` does, and waits until its escrow is settled.
func (d *Demo) submit(ctx context.Context, token string) (*node.JobResults, error) {
	req := &node.JobRequest{Module: d.opts.Wasm, UnitsPerTask: unitsPerTask, TaskTimeoutMS: 20_000, Tokens: []string{token}}
	for i := range d.opts.Tasks {
		lo := uint64(i) * taskWidth
		req.Inputs = append(req.Inputs, fmt.Appendf(nil, "%d %d", lo, lo+taskWidth))
	}
	c := d.buyer.Client()
	id, err := c.SubmitJob(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("demo: submitting the job: %w", err)
	}
	d.progress("job %s submitted through a circuit: %d tasks, each computed by 2 workers", id, d.opts.Tasks)
	last := -1
	for {
		res, err := c.JobResults(ctx, id)
		if err == nil && res.Accepted != last {
			d.tick("job %s: %d of %d tasks accepted", id, res.Accepted, res.Tasks)
			last = res.Accepted
		}
		if err == nil && res.State != "running" && res.Settled {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("demo: job %s did not finish: %w", id, ctx.Err())
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// verify checks every result against trial division and the money: the
// units spent are the accepted tasks' units, and the change token holds
// the rest of what was reserved.
func verify(res *node.JobResults) (change uint64, err error) {
	var units uint64
	for _, r := range res.Results {
		lo := uint64(r.Index) * taskWidth
		want := fmt.Sprintf("%d\n", primeCount(lo, lo+taskWidth))
		if r.State != "accepted" || string(r.Output) != want {
			return 0, fmt.Errorf("demo: task %d: %s %q, want %q", r.Index, r.State, r.Output, want)
		}
		units += r.Units
	}
	if res.State != "done" || res.Accepted != res.Tasks || units != res.Used || units == 0 {
		return 0, fmt.Errorf("demo: job %s: %d of %d accepted, %d units used, tasks' units %d",
			res.State, res.Accepted, res.Tasks, res.Used, units)
	}
	if change, err = tokenAmount(res.Change); err != nil {
		return 0, err
	}
	if change != res.Reserved-res.Used {
		return 0, fmt.Errorf("demo: change %d, want reserved %d - used %d", change, res.Reserved, res.Used)
	}
	return change, nil
}

// tokenAmount sums a token's proofs; "" is no change at all.
func tokenAmount(token string) (uint64, error) {
	if token == "" {
		return 0, nil
	}
	tok, err := ledger.DecodeToken(token)
	if err != nil {
		return 0, fmt.Errorf("demo: change token: %w", err)
	}
	var sum uint64
	for _, p := range tok.Proofs {
		sum += p.Amount
	}
	return sum, nil
}

// primeCount counts primes in [lo, hi) by trial division: the reference
// the workers' results are checked against.
func primeCount(lo, hi uint64) uint64 {
	n := uint64(0)
	for v := max(lo, 2); v < hi; v++ {
		prime := true
		for f := uint64(2); f*f <= v; f++ {
			if v%f == 0 {
				prime = false
				break
			}
		}
		if prime {
			n++
		}
	}
	return n
}
