package gateway

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// The worker's side of the gateway: sessions, leases, modules, results.

func (g *Gateway) handleRegister(w http.ResponseWriter, r *http.Request) {
	var req work.RegisterRequest
	if err := readJSON(r, &req); err != nil {
		work.WriteError(w, err, http.StatusBadRequest)
		return
	}
	worker, err := g.register(req)
	if err != nil {
		work.WriteError(w, err, http.StatusUnauthorized)
		return
	}
	var tok [24]byte
	rand.Read(tok[:])
	ans := work.RegisterAnswer{Worker: worker, Token: hex.EncodeToString(tok[:])}
	g.mu.Lock()
	g.sessions[ans.Token] = &workSession{worker: worker, mode: req.Mode, seen: g.now()}
	g.mu.Unlock()
	writeJSON(w, ans)
}

// register checks the key's signature and returns the worker ID,
// compute.WorkerID of the key (the same in either mode: workers.go).
// That and the mode are all the gateway ever records about a worker.
func (g *Gateway) register(req work.RegisterRequest) (string, error) {
	d := g.now().Sub(time.Unix(req.Time, 0))
	switch {
	case req.Mode != work.WorkerOpen && req.Mode != work.WorkerStealth:
		return "", fmt.Errorf("%w: unknown mode %q", work.ErrUnauthorized, req.Mode)
	case len(req.Key) != ed25519.PublicKeySize || !ed25519.Verify(req.Key, work.RegisterMessage(req.Mode, req.Time), req.Sig):
		return "", fmt.Errorf("%w: bad registration signature", work.ErrUnauthorized)
	case d > work.RegisterSkew || d < -work.RegisterSkew:
		return "", fmt.Errorf("%w: registration time is off by %v", work.ErrUnauthorized, d.Round(time.Second))
	}
	id := compute.WorkerID(req.Key)
	if err := g.checkMode(id, req.Mode); err != nil {
		return "", err
	}
	return id, nil
}

func (g *Gateway) handleLease(w http.ResponseWriter, r *http.Request, worker string) {
	if err := g.enrol(worker, modeOf(r)); err != nil {
		work.WriteError(w, err, http.StatusUnauthorized)
		return
	}
	a, err := g.queue.Lease(worker)
	if err != nil {
		work.WriteError(w, err, http.StatusInternalServerError)
		return
	}
	if a == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var meta jobMeta
	job, err := g.queue.Job(a.Lease.Job)
	if err == nil {
		err = g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableJobMeta, a.Lease.Job, &meta); return err })
	}
	if err != nil {
		work.WriteError(w, err, http.StatusInternalServerError)
		return
	}
	writeJSON(w, work.LeaseAnswer{Lease: a.Lease, Module: meta.Module, Input: a.Input, Fuel: a.Fuel,
		UnitsPerTask: job.Manifest.UnitsPerTask, Seed: a.Seed, TimeoutMS: a.Timeout.Milliseconds()})
}

func (g *Gateway) handleModule(w http.ResponseWriter, r *http.Request) {
	var mod []byte
	err := g.store.View(func(tx compute.Tx) (err error) {
		mod, err = tx.Get(tableModules, strings.ToLower(r.PathValue("hash")))
		return err
	})
	if err != nil || mod == nil {
		work.WriteError(w, fmt.Errorf("%w: unknown module", work.ErrJob), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/wasm")
	w.Write(mod)
}

func (g *Gateway) handleComplete(w http.ResponseWriter, r *http.Request, worker string) {
	var req work.CompleteRequest
	if err := readJSON(r, &req); err != nil {
		work.WriteError(w, err, http.StatusBadRequest)
		return
	}
	l := req.Lease
	l.Worker = worker // a session reports only for itself
	if req.Quote != "" {
		if err := g.store.Update(func(tx compute.Tx) error {
			return g.recordOffer(tx, l.Job, l.Task, worker, req.Quote)
		}); err != nil {
			work.WriteError(w, err, http.StatusInternalServerError)
			return
		}
	}
	res := compute.Result{Status: compute.Status(req.Status), ExitCode: req.ExitCode, Output: req.Output, FuelUsed: req.Fuel}
	state, err := g.queue.Complete(l, res)
	switch {
	case errors.Is(err, compute.ErrLeaseExpired), errors.Is(err, compute.ErrNotFound):
		work.WriteError(w, err, http.StatusGone)
		return
	case err != nil:
		work.WriteError(w, err, http.StatusInternalServerError)
		return
	}
	if state == compute.TaskAccepted {
		if err := g.payTask(r.Context(), l.Job, l.Task); err != nil {
			g.log.Warn("compute: payout failed; the sweep retries it", "err", err)
			g.log.Debug("compute: payout failed", "job", l.Job, "task", l.Task)
		}
	}
	if job, err := g.queue.Job(l.Job); err == nil && job.State != compute.JobRunning {
		go g.settle(context.Background(), l.Job)
	}
	writeJSON(w, work.CompleteAnswer{State: taskStateName(state)})
}

func (g *Gateway) handleAccount(w http.ResponseWriter, r *http.Request, worker string) {
	acct := work.Account{Worker: worker}
	if err := g.store.View(func(tx compute.Tx) error {
		_, err := getJSON(tx, tableCredits, worker, &acct)
		return err
	}); err != nil {
		work.WriteError(w, err, http.StatusInternalServerError)
		return
	}
	writeJSON(w, acct)
}

func quoteKey(job string, task int, worker string) string {
	return fmt.Sprintf("%s/%08d/%s", job, task, worker)
}
