package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

// The buyer's side of the gateway: submit a job with payment, follow it,
// fetch its results and change.

// jobMeta is what the gateway keeps about a job beside the queue's record.
type jobMeta struct {
	Module      compute.Hash    `json:"module"` // SHA-256 of the instrumented module
	Reservation string          `json:"reservation"`
	Reserved    uint64          `json:"reserved"`
	Keyset      ledger.KeysetID `json:"keyset"`
	Settled     bool            `json:"settled"`
	Change      string          `json:"change,omitempty"` // cashuB token for the unused units
	Plan        *settlePlan     `json:"plan,omitempty"`   // change outputs while settling
	PaidOut     bool            `json:"paid_out"`         // ended, and every accepted task paid
	SecretHash  string          `json:"secret_hash"`      // of the buyer's job secret (jobsecret.go)
	// ChangeReleased: the change was handed to the secret's holder.
	ChangeReleased bool `json:"change_released,omitempty"`
}

func (g *Gateway) handleSubmit(w http.ResponseWriter, r *http.Request) {
	var req work.SubmitRequest
	if err := readJSON(r, &req); err != nil {
		work.WriteError(w, err, http.StatusBadRequest)
		return
	}
	id, secret, err := g.submit(r, &req)
	switch {
	case errors.Is(err, work.ErrPayment):
		work.WriteError(w, err, http.StatusPaymentRequired)
	case err != nil:
		work.WriteError(w, err, http.StatusBadRequest)
	default:
		writeJSON(w, work.SubmitAnswer{Job: id, Secret: secret})
	}
}

// submit validates the manifest and module, instruments the module,
// reserves the payment and queues the tasks. Any failure after the
// reservation releases it. It returns the job's ID and secret.
func (g *Gateway) submit(r *http.Request, req *work.SubmitRequest) (string, string, error) {
	m := &req.Manifest
	if err := m.Validate(); err != nil {
		return "", "", fmt.Errorf("%w: %w", work.ErrJob, err)
	}
	if compute.ModuleHash(req.Module) != m.Module {
		return "", "", fmt.Errorf("%w: module does not match module_sha256", work.ErrJob)
	}
	metered, err := compute.Instrument(req.Module)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", work.ErrJob, err)
	}
	id := newJobID()
	res, err := g.reserve(r.Context(), id, req.Tokens, m.Budget())
	if err != nil {
		return "", "", err
	}
	secret, hash := newJobSecret()
	meta := jobMeta{Module: compute.ModuleHash(metered), Reservation: res.ID, Reserved: res.Amount, Keyset: res.Keyset,
		SecretHash: hash}
	err = g.store.Update(func(tx compute.Tx) error {
		if err := tx.Put(tableModules, meta.Module.String(), metered); err != nil {
			return err
		}
		return putJSON(tx, tableJobMeta, id, meta)
	})
	if err == nil {
		err = g.queue.Submit(id, m)
	}
	if err != nil {
		_ = g.mint.Release(r.Context(), res.ID)
		return "", "", fmt.Errorf("%w: %w", work.ErrJob, err)
	}
	g.log.Info("compute: job queued", "tasks", len(m.Inputs), "reserved", res.Amount)
	g.log.Debug("compute: job queued", "job", id)
	return id, secret, nil
}

func newJobID() string {
	var b [12]byte
	rand.Read(b[:])
	return "j" + hex.EncodeToString(b[:])
}

func (g *Gateway) handleStatus(w http.ResponseWriter, r *http.Request) {
	st, err := g.authedStatus(r)
	if err != nil {
		work.WriteError(w, err, http.StatusNotFound)
		return
	}
	writeJSON(w, st)
}

// authedStatus is the status of the request's job, for its secret's
// holder only, with the change released to it.
func (g *Gateway) authedStatus(r *http.Request) (*work.JobStatus, error) {
	id := r.PathValue("id")
	if err := g.authJob(r, id); err != nil {
		return nil, err
	}
	st, err := g.status(id)
	if err == nil {
		err = g.releaseChange(st)
	}
	return st, err
}

func (g *Gateway) handleResults(w http.ResponseWriter, r *http.Request) {
	st, err := g.authedStatus(r)
	if err != nil {
		work.WriteError(w, err, http.StatusNotFound)
		return
	}
	tasks, err := g.queue.Tasks(st.ID)
	if err != nil {
		work.WriteError(w, err, http.StatusInternalServerError)
		return
	}
	out := work.JobResults{JobStatus: *st}
	for _, t := range tasks {
		tr := work.TaskResult{Index: t.Index, State: taskStateName(t.State), Units: t.Units}
		if t.State == compute.TaskAccepted {
			tr.Status, tr.Output = t.Status.String(), t.Output
		}
		out.Results = append(out.Results, tr)
	}
	writeJSON(w, out)
}

func (g *Gateway) handleCancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := g.authJob(r, id); err != nil {
		work.WriteError(w, err, http.StatusNotFound)
		return
	}
	if err := g.queue.Cancel(id); err != nil {
		work.WriteError(w, fmt.Errorf("%w: %w", work.ErrJob, err), http.StatusNotFound)
		return
	}
	g.settle(r.Context(), id)
	g.handleStatus(w, r)
}

// status joins the queue's record and the escrow's.
func (g *Gateway) status(id string) (*work.JobStatus, error) {
	job, err := g.queue.Job(id)
	if err != nil {
		return nil, fmt.Errorf("%w: unknown job", work.ErrJob)
	}
	var meta jobMeta
	if err := g.store.View(func(tx compute.Tx) error {
		_, err := getJSON(tx, tableJobMeta, id, &meta)
		return err
	}); err != nil {
		return nil, err
	}
	return &work.JobStatus{ID: id, State: jobStateName(job.State), Tasks: job.Tasks, Accepted: job.Accepted,
		Failed: job.Failed, Reserved: meta.Reserved, Used: job.Units, Settled: meta.Settled, Change: meta.Change}, nil
}

func jobStateName(s compute.JobState) string {
	return [...]string{"running", "done", "expired", "cancelled"}[min(int(s), 3)]
}

func taskStateName(s compute.TaskState) string {
	return [...]string{"open", "accepted", "failed"}[min(int(s), 2)]
}
