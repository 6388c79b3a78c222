package worker

import (
	"context"
	"time"

	"cyclecash/node/service"
)

// Hooks are test hooks, never from a config file.
type Hooks struct {
	// Tamper, when set, rewrites every result output before it is sent:
	// a cheating worker for tests.
	Tamper func([]byte) []byte
	// ChildPath, ChildArgs and ChildEnv override how a worker re-executes
	// itself to run a task (compute.ChildRunner); tests point them at the
	// test binary.
	ChildPath string
	ChildArgs []string
	ChildEnv  []string
	// LoadAverage, when set, replaces reading /proc/loadavg for
	// yield_load: tests inject a busy or idle machine.
	LoadAverage func() (float64, error)
	// Observe, when set, receives how long each stage of a task took at
	// the worker ("lease", "run", "complete"): for benchmarks; and
	// "start" (since the lease was asked for) as the task is handed to the
	// sandbox: tests wait on it.
	Observe func(stage string, d time.Duration)
}

// Wallet reports a stealth worker's wallet: units held and payout quotes
// not yet minted; ok is false for an open worker.
func (w *Worker) Wallet() (balance uint64, pending int, ok bool) {
	if w.pay == nil {
		return 0, 0, false
	}
	return w.pay.Balance(), w.pay.Pending(), true
}

// Close releases nothing yet: the worker holds no open store.
func (w *Worker) Close() error { return nil }

// figures asks the gateway for the account (briefly: a stealth worker
// asks through a circuit) and reads the wallet.
func (w *Worker) figures(ctx context.Context) service.WorkerFigures {
	f := service.WorkerFigures{Mode: w.cfg.Mode, Reported: w.reported.Load()}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if acct, err := w.figuresAccount(ctx); err != nil {
		f.Err = "gateway not reachable just now"
	} else {
		f.Credit, f.Paid = acct.Credit, len(acct.Paid)
	}
	f.Balance, f.Pending, _ = w.Wallet()
	f.Earned = f.Credit
	if w.pay != nil {
		f.Earned = w.pay.Minted()
		if exp, err := w.pay.w.BalanceByExpiry(ctx); err == nil {
			for _, e := range exp {
				f.Wallet = append(f.Wallet, service.ExpiryUnits{Expires: e.Expires, Units: e.Units})
			}
		}
	}
	return f
}
