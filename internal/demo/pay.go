package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// payouts waits until the job's accepted tasks are paid out (open
// workers in credit, stealth workers in minted tokens: their credit
// claimed) and returns the two totals and each stealth worker's balance.
func (d *Demo) payouts(ctx context.Context, job string) (open, stealth uint64, balances []uint64, err error) {
	owed, err := d.owed(job)
	if err != nil {
		return 0, 0, nil, err
	}
	wait, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		open, stealth, balances, err = d.paid(wait)
		if err == nil && open+stealth == owed {
			return open, stealth, balances, nil
		}
		select {
		case <-wait.Done():
			return 0, 0, nil, fmt.Errorf("demo: workers hold %d+%d units, owed %d (%v)", open, stealth, owed, err)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// owed is what the gateway owes for the job: each accepted task's units
// once, split among the workers whose results agreed (compute.Payouts),
// which is what the buyer was charged.
func (d *Demo) owed(job string) (uint64, error) {
	tasks, err := d.gw.ComputeQueue().Tasks(job)
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	var owed uint64
	for _, t := range tasks {
		if t.State == compute.TaskAccepted {
			owed += t.Units
		}
	}
	return owed, nil
}

// paid reads the open workers' credit from the gateway and the stealth
// workers' minted balances; a payout still being minted is an error.
func (d *Demo) paid(ctx context.Context) (open, stealth uint64, balances []uint64, err error) {
	for _, w := range d.open {
		acct, err := w.WorkerAccount(ctx)
		if err != nil {
			return 0, 0, nil, err
		}
		open += acct.Credit
	}
	for _, w := range d.stealth {
		bal, pending, err := w.WorkerWallet()
		if err != nil {
			return 0, 0, nil, err
		}
		if pending > 0 {
			return 0, 0, nil, fmt.Errorf("demo: %d payouts still being minted", pending)
		}
		if acct, err := w.WorkerAccount(ctx); err != nil || acct.Credit > 0 {
			return 0, 0, nil, fmt.Errorf("demo: stealth credit not claimed yet (%v)", err)
		}
		stealth += bal
		balances = append(balances, bal)
	}
	return open, stealth, balances, nil
}

// stealthWallet opens a stealth worker's wallet with a client that
// reaches the gateway through that worker's own circuits.
func stealthWallet(w *node.Node) (*wallet.Wallet, error) {
	hc, err := meshClient(w)
	if err != nil {
		return nil, err
	}
	wl, err := wallet.Open(filepath.Join(w.DataDir(), "wallet"), hc)
	if err != nil {
		return nil, fmt.Errorf("demo: stealth wallet: %w", err)
	}
	return wl, nil
}

// swapAll proves a stealth worker's tokens are spendable: the wallet
// sends its whole balance and receives it back, which swaps every proof
// at the gateway for fresh ones.
func swapAll(ctx context.Context, w *node.Node) (uint64, error) {
	wl, err := stealthWallet(w)
	if err != nil {
		return 0, err
	}
	bal := wl.Balance()
	tok, err := wl.Send(ctx, bal, "")
	if err != nil {
		return 0, fmt.Errorf("demo: stealth worker sending %d units: %w", bal, err)
	}
	got, err := wl.Receive(ctx, tok)
	if err != nil || got != bal {
		return 0, fmt.Errorf("demo: swapping a stealth worker's %d units: got %d: %v", bal, got, err)
	}
	return got, nil
}

// transfer sends part of a stealth worker's units to a fresh wallet
// (owned by the buyer here): units circulating as currency.
func (d *Demo) transfer(ctx context.Context, from *node.Node) (uint64, error) {
	wl, err := stealthWallet(from)
	if err != nil {
		return 0, err
	}
	// Half, so that the market's part finds units left to spend; a
	// worker holding one unit keeps it (stealth workers' shares vary: the
	// open workers, one hop from the gateway, often take most tasks).
	amount := wl.Balance() / 2
	if amount == 0 {
		return 0, nil
	}
	tok, err := wl.Send(ctx, amount, "demo transfer")
	if err != nil {
		return 0, fmt.Errorf("demo: sending %d units: %w", amount, err)
	}
	hc, err := meshClient(d.buyer)
	if err != nil {
		return 0, err
	}
	to, err := wallet.Create(filepath.Join(d.opts.Dir, "fresh-wallet"), meshLedger, hc, nil)
	if err != nil {
		return 0, fmt.Errorf("demo: fresh wallet: %w", err)
	}
	got, err := to.Receive(ctx, tok)
	if err != nil || got != amount || to.Balance() != amount {
		return 0, fmt.Errorf("demo: the fresh wallet received %d of %d units: %v", got, amount, err)
	}
	return amount, nil
}
