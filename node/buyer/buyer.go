// Package buyer is the buyer's side of the compute market on every node:
// the control API's job endpoints, carried to a gateway through circuits.
//
// Invariants: a buyer reaches gateways only through circuits (never a
// direct stream), so a gateway learns neither its address nor its peer
// ID; it imports the work protocol and nothing of the gateway's escrow or
// settlement.
package buyer

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"cyclecash/compute"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// Buyer is the job endpoints every node offers on its control API:
// `cyclecash job` talks to its own node, and the buyer carries each
// request to a gateway through a circuit, so the gateway learns neither
// the buyer's address nor its peer ID.
type Buyer struct {
	h service.Host

	mu      sync.Mutex
	clients map[string]*work.Client // one per gateway, so streams are reused
}

// New registers the buyer's endpoints on h's control API.
func New(h service.Host) *Buyer {
	b := &Buyer{h: h, clients: map[string]*work.Client{}}
	b.routes()
	return b
}

// Run does nothing: the buyer only answers the control API.
func (b *Buyer) Run(context.Context) {}

// Close releases nothing.
func (b *Buyer) Close() error { return nil }

// JobRequest is a job as the CLI hands it to its node.
type JobRequest struct {
	Module        []byte   `json:"module"`
	Inputs        [][]byte `json:"inputs"`
	UnitsPerTask  uint64   `json:"units_per_task"`
	Replication   int      `json:"replication"`     // 0 = compute.MinReplication
	TaskTimeoutMS int64    `json:"task_timeout_ms"` // 0 = 60 s
	DeadlineUnix  int64    `json:"deadline_unix"`   // 0 = 24 h from now
	Output        string   `json:"output,omitempty"`
	Tokens        []string `json:"tokens"`
}

// Manifest builds the job's manifest, filling defaults.
func (r *JobRequest) Manifest(now time.Time) *compute.Manifest {
	m := &compute.Manifest{Version: compute.ManifestVersion, Module: compute.ModuleHash(r.Module),
		Inputs: r.Inputs, UnitsPerTask: r.UnitsPerTask, Replication: or(r.Replication, compute.MinReplication),
		TaskTimeoutMS: or(r.TaskTimeoutMS, 60_000), DeadlineUnix: or(r.DeadlineUnix, now.Add(24*time.Hour).Unix()),
		Output: r.Output}
	return m
}

// routes adds the buyer's job endpoints to the control API.
func (b *Buyer) routes() {
	mux := apiMux{b.h}
	mux.HandleFunc("POST /v1/jobs", apiCall(func(r *http.Request) (any, error) {
		var req JobRequest
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, work.MaxBody)).Decode(&req); err != nil {
			return nil, fmt.Errorf("%w: malformed request", work.ErrJob)
		}
		return b.SubmitJob(r.Context(), &req)
	}))
	mux.HandleFunc("GET /v1/jobs/{id}", apiCall(func(r *http.Request) (any, error) {
		var st work.JobStatus
		return &st, b.jobCall(r.Context(), "GET", r.PathValue("id"), "", &st, &st)
	}))
	mux.HandleFunc("GET /v1/jobs/{id}/results", apiCall(func(r *http.Request) (any, error) {
		var res work.JobResults
		return &res, b.jobCall(r.Context(), "GET", r.PathValue("id"), "/results", &res, &res.JobStatus)
	}))
	mux.HandleFunc("POST /v1/jobs/{id}/cancel", apiCall(func(r *http.Request) (any, error) {
		var st work.JobStatus
		return &st, b.jobCall(r.Context(), "POST", r.PathValue("id"), "/cancel", &st, &st)
	}))
}

// apiMux registers on the control API.
type apiMux struct{ h service.Host }

func (m apiMux) HandleFunc(pattern string, h http.HandlerFunc) { m.h.HandleAPI(pattern, h) }

// apiCall answers with fn's result as JSON or its error with its wire
// code (work.WriteError).
func apiCall(fn func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			work.WriteError(w, err, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
}

// SubmitJob sends a job with its payment to a gateway through a circuit
// and returns the job ID the gateway assigned; the job's secret is kept in
// JobsDir, never shown.
func (b *Buyer) SubmitJob(ctx context.Context, req *JobRequest) (string, error) {
	m := req.Manifest(time.Now())
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("%w: %w", work.ErrJob, err)
	}
	t := service.Gateway
	var ans work.SubmitAnswer
	if _, err := b.client(t).Call(ctx, "POST", work.Prefix+"jobs", "",
		work.SubmitRequest{Manifest: *m, Module: req.Module, Tokens: req.Tokens}, &ans); err != nil {
		return "", err
	}
	if err := b.saveJob(ans.Job, jobFile{Gateway: t, Secret: ans.Secret}); err != nil {
		return "", err
	}
	return ans.Job, nil
}

// jobCall forwards a job request, with the job's secret, to the gateway
// that took the job; st is out's status, whose change it keeps.
func (b *Buyer) jobCall(ctx context.Context, method, id, suffix string, out any, st *work.JobStatus) error {
	f, err := b.loadJob(id)
	if err != nil {
		return err
	}
	if _, err := b.client(f.Gateway).Call(ctx, method, work.Prefix+"jobs/"+id+suffix, f.Secret, nil, out); err != nil {
		return err
	}
	b.keepChange(id, f, st)
	return nil
}

// client returns the client for gateway t, one per gateway so that its
// streams are reused.
func (b *Buyer) client(t string) *work.Client {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.clients[t]
	if c == nil {
		c = work.NewClient(func(ctx context.Context) (net.Conn, error) { return b.h.DialCircuit(ctx, t, work.Service) }, 2)
		b.clients[t] = c
	}
	return c
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
