package worker

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"cyclecash/compute"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// Worker leases tasks from a gateway, runs each in a child process
// killed at its deadline, and reports the results. An open worker talks
// to the gateway over direct streams under a persistent account key; a
// stealth worker only through circuits, under a key made fresh for each
// session, and is paid in tokens kept in its wallet directory.
type Worker struct {
	cfg    work.Config
	hooks  Hooks
	log    *slog.Logger
	dir    string // DATA/compute
	client *work.Client
	runner *compute.ChildRunner
	key    ed25519.PrivateKey
	pay    *stealthPay // nil for open workers
	// work leases, runs and reports one task (step); tests replace it.
	work func(context.Context) (bool, error)
	// now and rest are the slots' clock and sleep (time.Now, sleepCtx);
	// tests inject a fake clock to check the CPU share exactly.
	now  func() time.Time
	rest func(context.Context, time.Duration)

	reported  atomic.Int64 // tasks run and reported since start
	acctCache accountCache // the figures' last account answer

	mu     sync.Mutex
	token  string
	worker string
}

// New prepares the worker of host h (cfg with defaults filled); it
// contacts nobody yet. It reports its figures on h.
func New(h service.Host, c work.Config, hooks Hooks) (*Worker, error) {
	dataDir := h.DataDir()
	w := &Worker{cfg: c, hooks: hooks, log: h.Logger().With("sys", "worker"), dir: filepath.Join(dataDir, "compute")}
	w.work = w.step
	if err := os.MkdirAll(filepath.Join(w.dir, "modules"), 0o700); err != nil {
		return nil, fmt.Errorf("node: compute: %w", err)
	}
	w.runner = &compute.ChildRunner{Path: hooks.ChildPath, Args: hooks.ChildArgs, Env: hooks.ChildEnv,
		Sandbox: compute.SandboxConfig{CacheDir: filepath.Join(w.dir, "cache"), CompiledCache: c.CacheBytes}}
	var err error
	if c.Mode == work.WorkerStealth {
		_, w.key, err = ed25519.GenerateKey(nil) // a fresh session: nothing links it to the last
		w.client = work.NewClient(work.CircuitDial(h), c.Concurrency+1)
		if err == nil {
			w.pay, err = openStealthPay(filepath.Join(dataDir, "wallet"), w.client, w.log)
		}
	} else {
		w.key, err = loadOrCreateAccountKey(filepath.Join(dataDir, AccountKeyFile))
		w.client = work.NewClient(work.DirectDial(h), c.Concurrency+1)
	}
	if err != nil {
		return nil, err
	}
	h.Report(service.FiguresWorker, func(ctx context.Context) any { return w.figures(ctx) })
	h.HandleAPI("GET /v1/worker/statement", http.HandlerFunc(w.handleStatement))
	return w, nil
}

// Run serves until ctx ends: Concurrency slots each lease and run tasks.
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range w.cfg.Concurrency {
		wg.Add(1)
		go func() { defer wg.Done(); w.slot(ctx) }()
	}
	if w.pay != nil {
		wg.Add(1)
		go func() { defer wg.Done(); w.pay.run(ctx, w.cfg.Poll, calls{account: w.Account, offer: w.offer}) }()
	}
	wg.Wait()
}

// slot runs one task at a time, waiting while the machine is busy or
// there is nothing to do, and resting after each task to keep its CPU share.
func (w *Worker) slot(ctx context.Context) {
	for ctx.Err() == nil {
		if w.busy() {
			sleepCtx(ctx, w.cfg.Poll)
			continue
		}
		start := w.clock()
		did, err := w.work(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Debug("compute: step failed", "err", err)
		}
		if !did {
			sleepCtx(ctx, w.cfg.Poll)
			continue
		}
		if s := w.cfg.CPUShare; s > 0 && s < 1 {
			w.sleep(ctx, time.Duration(float64(w.clock().Sub(start))*(1-s)/s))
		}
	}
}

func (w *Worker) clock() time.Time {
	if w.now != nil {
		return w.now()
	}
	return time.Now()
}

func (w *Worker) sleep(ctx context.Context, d time.Duration) {
	if w.rest != nil {
		w.rest(ctx, d)
		return
	}
	sleepCtx(ctx, d)
}

// step leases one task, runs it and reports; it returns whether it ran one.
func (w *Worker) step(ctx context.Context) (bool, error) {
	var a work.LeaseAnswer
	t0 := time.Now()
	ok, err := w.authCall(ctx, "POST", work.Prefix+"lease", nil, &a)
	if err != nil || !ok {
		return false, err
	}
	w.observe("lease", t0)
	mod, err := w.module(ctx, a.Module)
	if err != nil {
		return true, err
	}
	timeout := time.Duration(a.TimeoutMS) * time.Millisecond
	w.observe("start", t0)
	t0 = time.Now()
	res, err := w.runner.Run(ctx, compute.Task{Module: mod, Input: a.Input, Fuel: a.Fuel, Seed: a.Seed}, timeout)
	if err != nil {
		if ctx.Err() != nil {
			return true, err // the lease expires and the task goes to someone else
		}
		res = compute.Result{Status: compute.StatusCrashed}
	}
	w.observe("run", t0)
	if w.hooks.Tamper != nil && res.Status == compute.StatusOK {
		res.Output = w.hooks.Tamper(res.Output)
	}
	req := work.CompleteRequest{Lease: a.Lease, Status: uint8(res.Status), ExitCode: res.ExitCode, Output: res.Output, Fuel: res.FuelUsed}
	var ans work.CompleteAnswer
	t0 = time.Now()
	_, err = w.authCall(ctx, "POST", work.Prefix+"complete", req, &ans)
	w.observe("complete", t0)
	w.reported.Add(1)
	w.log.Debug("compute: task reported", "job", a.Lease.Job, "task", a.Lease.Task, "status", res.Status, "state", ans.State)
	return true, err
}

// module returns the instrumented module by hash, from the disk cache or
// the gateway, and checks its hash.
func (w *Worker) module(ctx context.Context, h compute.Hash) ([]byte, error) {
	path := filepath.Join(w.dir, "modules", h.String()+".wasm")
	if b, err := os.ReadFile(path); err == nil && sha256.Sum256(b) == h {
		touch(path)
		return b, nil
	}
	var b []byte
	if _, err := w.client.Call(ctx, "GET", work.Prefix+"modules/"+h.String(), "", nil, &b); err != nil {
		return nil, err
	}
	if sha256.Sum256(b) != h {
		return nil, fmt.Errorf("%w: module does not match its hash", work.ErrJob)
	}
	if err := service.WriteFileAtomic(path, b, 0o600); err != nil {
		return nil, err
	}
	w.trimCaches(path)
	return b, nil
}

// trimCaches bounds the module and compilation caches after a new module
// arrived (its compiled code follows when it runs), keeping keep.
func (w *Worker) trimCaches(keep string) {
	for _, dir := range []string{filepath.Join(w.dir, "modules"), filepath.Join(w.dir, "cache")} {
		if err := trimDir(dir, w.cfg.CacheBytes, keep); err != nil {
			w.log.Debug("compute: trimming a cache failed", "err", err)
		}
	}
}

// authCall makes a call under the session, registering first and again
// when the gateway has forgotten the session (a restart).
func (w *Worker) authCall(ctx context.Context, method, path string, in, out any) (bool, error) {
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
		ok, err := w.client.Call(ctx, method, path, tok, in, out)
		if !errors.Is(err, work.ErrUnauthorized) {
			return ok, err
		}
		w.mu.Lock()
		w.token = ""
		w.mu.Unlock()
	}
	return false, work.ErrUnauthorized
}

func (w *Worker) register(ctx context.Context) error {
	now := time.Now().Unix()
	req := work.RegisterRequest{Mode: w.cfg.Mode, Key: w.key.Public().(ed25519.PublicKey), Time: now,
		Sig: ed25519.Sign(w.key, work.RegisterMessage(w.cfg.Mode, now))}
	var ans work.RegisterAnswer
	if _, err := w.client.Call(ctx, "POST", work.Prefix+"register", "", req, &ans); err != nil {
		return err
	}
	w.mu.Lock()
	w.token, w.worker = ans.Token, ans.Worker
	w.mu.Unlock()
	w.log.Info("compute: registered at gateway", "mode", w.cfg.Mode)
	return nil
}

// Account asks the gateway what this worker has earned.
func (w *Worker) Account(ctx context.Context) (work.Account, error) {
	var a work.Account
	_, err := w.authCall(ctx, "GET", work.Prefix+"account", nil, &a)
	return a, err
}

// Statement fetches an open worker's account by week from the gateway.
func (w *Worker) Statement(ctx context.Context) (work.Statement, error) {
	var st work.Statement
	_, err := w.authCall(ctx, "GET", work.Prefix+"statement", nil, &st)
	return st, err
}

// offer offers a mint quote for the session's credit.
func (w *Worker) offer(ctx context.Context, quote string) error {
	var a work.Account
	_, err := w.authCall(ctx, "POST", work.Prefix+"offer", work.OfferRequest{Quote: quote}, &a)
	return err
}

func (w *Worker) observe(stage string, since time.Time) {
	if w.hooks.Observe != nil {
		w.hooks.Observe(stage, time.Since(since))
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

// handleStatement is GET /v1/worker/statement on the control API: the
// open worker's own view of what it earned and was paid. A refusal keeps
// its work sentinel's code (the gateway's, passed on, or the worker's own
// ErrNoCompute), so the control API's client decodes it.
func (w *Worker) handleStatement(rw http.ResponseWriter, r *http.Request) {
	st, err := w.Statement(r.Context())
	if err != nil {
		work.WriteError(rw, err, http.StatusBadGateway)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(st)
}
