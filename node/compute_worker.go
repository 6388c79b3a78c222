package node

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"cyclecash/compute"
	"cyclecash/overlay"
)

// computeWorker leases tasks from a gateway, runs each in a child process
// killed at its deadline, and reports the results. An open worker talks
// to the gateway over direct streams under a persistent account key; a
// stealth worker only through circuits, under a key made fresh for each
// session, and is paid in tokens kept in its wallet directory.
type computeWorker struct {
	cfg    ComputeConfig
	log    *slog.Logger
	dir    string // DATA/compute
	client *workClient
	runner *compute.ChildRunner
	key    ed25519.PrivateKey
	pay    *stealthPay // nil for open workers
	// work leases, runs and reports one task (step); tests replace it.
	work func(context.Context) (bool, error)

	mu     sync.Mutex
	token  string
	worker string
}

// newComputeWorker prepares the worker of node n; it contacts nobody yet.
func newComputeWorker(n *Node, cfg Config) (*computeWorker, error) {
	c := cfg.Compute
	w := &computeWorker{cfg: c, log: n.log.With("sys", "worker"), dir: filepath.Join(cfg.DataDir, "compute")}
	w.work = w.step
	if err := os.MkdirAll(filepath.Join(w.dir, "modules"), 0o700); err != nil {
		return nil, fmt.Errorf("node: compute: %w", err)
	}
	w.runner = &compute.ChildRunner{Path: c.ChildPath, Args: c.ChildArgs, Env: c.ChildEnv,
		Sandbox: compute.SandboxConfig{CacheDir: filepath.Join(w.dir, "cache")}}
	var err error
	if c.Mode == WorkerStealth {
		_, w.key, err = ed25519.GenerateKey(nil) // a fresh session: nothing links it to the last
		w.client = newWorkClient(n.circuitDial(Target{Role: overlay.RoleGateway}), c.Concurrency+1)
		if err == nil {
			w.pay, err = openStealthPay(filepath.Join(cfg.DataDir, "wallet"), w.client, w.log)
		}
	} else {
		w.key, err = loadOrCreateAccountKey(filepath.Join(cfg.DataDir, "worker_account.key"))
		w.client = newWorkClient(n.directDial(), c.Concurrency+1)
	}
	return w, err
}

// run serves until ctx ends: Concurrency slots each lease and run tasks.
func (w *computeWorker) run(ctx context.Context) {
	var wg sync.WaitGroup
	for range w.cfg.Concurrency {
		wg.Add(1)
		go func() { defer wg.Done(); w.slot(ctx) }()
	}
	if w.pay != nil {
		wg.Add(1)
		go func() { defer wg.Done(); w.pay.run(ctx, w.cfg.Poll, w.Account) }()
	}
	wg.Wait()
}

// slot runs one task at a time, waiting while the machine is busy or
// there is nothing to do, and resting after each task to keep its CPU share.
func (w *computeWorker) slot(ctx context.Context) {
	for ctx.Err() == nil {
		if w.busy() {
			sleepCtx(ctx, w.cfg.Poll)
			continue
		}
		start := time.Now()
		did, err := w.work(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Debug("compute: step failed", "err", err)
		}
		if !did {
			sleepCtx(ctx, w.cfg.Poll)
			continue
		}
		if s := w.cfg.CPUShare; s > 0 && s < 1 {
			sleepCtx(ctx, time.Duration(float64(time.Since(start))*(1-s)/s))
		}
	}
}

// step leases one task, runs it and reports; it returns whether it ran one.
func (w *computeWorker) step(ctx context.Context) (bool, error) {
	var a leaseAnswer
	t0 := time.Now()
	ok, err := w.authCall(ctx, "POST", workPrefix+"lease", nil, &a)
	if err != nil || !ok {
		return false, err
	}
	w.observe("lease", t0)
	mod, err := w.module(ctx, a.Module)
	if err != nil {
		return true, err
	}
	timeout := time.Duration(a.TimeoutMS) * time.Millisecond
	t0 = time.Now()
	res, err := w.runner.Run(ctx, compute.Task{Module: mod, Input: a.Input, Fuel: a.Fuel, Seed: a.Seed}, timeout)
	if err != nil {
		if ctx.Err() != nil {
			return true, err // the lease expires and the task goes to someone else
		}
		res = compute.Result{Status: compute.StatusCrashed}
	}
	w.observe("run", t0)
	if w.cfg.Tamper != nil && res.Status == compute.StatusOK {
		res.Output = w.cfg.Tamper(res.Output)
	}
	req := completeRequest{Lease: a.Lease, Status: uint8(res.Status), ExitCode: res.ExitCode, Output: res.Output, Fuel: res.FuelUsed}
	if units := compute.UnitsFor(res.FuelUsed, a.UnitsPerTask); w.pay != nil && res.Status.Deterministic() && units > 0 {
		if req.Quote, err = w.pay.quote(ctx, units); err != nil {
			w.log.Warn("compute: no payout quote; reporting unpaid", "err", err)
		}
	}
	var ans completeAnswer
	t0 = time.Now()
	_, err = w.authCall(ctx, "POST", workPrefix+"complete", req, &ans)
	w.observe("complete", t0)
	w.log.Debug("compute: task reported", "job", a.Lease.Job, "task", a.Lease.Task, "status", res.Status, "state", ans.State)
	return true, err
}

// module returns the instrumented module by hash, from the disk cache or
// the gateway, and checks its hash.
func (w *computeWorker) module(ctx context.Context, h compute.Hash) ([]byte, error) {
	path := filepath.Join(w.dir, "modules", h.String()+".wasm")
	if b, err := os.ReadFile(path); err == nil && sha256.Sum256(b) == h {
		return b, nil
	}
	var b []byte
	if _, err := w.client.call(ctx, "GET", workPrefix+"modules/"+h.String(), "", nil, &b); err != nil {
		return nil, err
	}
	if sha256.Sum256(b) != h {
		return nil, fmt.Errorf("%w: module does not match its hash", ErrJob)
	}
	return b, overlay.WriteFileAtomic(path, b, 0o600)
}

// authCall makes a call under the session, registering first and again
// when the gateway has forgotten the session (a restart).
func (w *computeWorker) authCall(ctx context.Context, method, path string, in, out any) (bool, error) {
	for range 2 {
		w.mu.Lock()
		tok := w.token
		w.mu.Unlock()
		if tok == "" {
			if err := w.register(ctx); err != nil {
				return false, err
			}
			continue
		}
		ok, err := w.client.call(ctx, method, path, tok, in, out)
		if !errors.Is(err, ErrUnauthorized) {
			return ok, err
		}
		w.mu.Lock()
		w.token = ""
		w.mu.Unlock()
	}
	return false, ErrUnauthorized
}

func (w *computeWorker) register(ctx context.Context) error {
	now := time.Now().Unix()
	req := registerRequest{Mode: w.cfg.Mode, Key: w.key.Public().(ed25519.PublicKey), Time: now,
		Sig: ed25519.Sign(w.key, registerMessage(w.cfg.Mode, now))}
	var ans registerAnswer
	if _, err := w.client.call(ctx, "POST", workPrefix+"register", "", req, &ans); err != nil {
		return err
	}
	w.mu.Lock()
	w.token, w.worker = ans.Token, ans.Worker
	w.mu.Unlock()
	w.log.Info("compute: registered at gateway", "mode", w.cfg.Mode)
	return nil
}

// Account asks the gateway what this worker has earned.
func (w *computeWorker) Account(ctx context.Context) (Account, error) {
	var a Account
	_, err := w.authCall(ctx, "GET", workPrefix+"account", nil, &a)
	return a, err
}

func (w *computeWorker) observe(stage string, since time.Time) {
	if w.cfg.Observe != nil {
		w.cfg.Observe(stage, time.Since(since))
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
