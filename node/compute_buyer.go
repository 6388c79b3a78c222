package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"cyclecash/compute"
	"cyclecash/overlay"
)

// The buyer's client: `cyclecash job` talks to its own node's control API,
// and the node carries each request to a gateway through a circuit, so the
// gateway learns neither the buyer's address nor its peer ID.

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

// registerComputeAPI adds the buyer's job endpoints to the control API.
func (n *Node) registerComputeAPI(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/jobs", n.apiCall(func(r *http.Request) (any, error) {
		var req JobRequest
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxWorkBody)).Decode(&req); err != nil {
			return nil, fmt.Errorf("%w: malformed request", ErrJob)
		}
		return n.SubmitJob(r.Context(), &req)
	}))
	mux.HandleFunc("GET /v1/jobs/{id}", n.apiCall(func(r *http.Request) (any, error) {
		var st JobStatus
		return &st, n.jobCall(r.Context(), "GET", r.PathValue("id"), "", &st)
	}))
	mux.HandleFunc("GET /v1/jobs/{id}/results", n.apiCall(func(r *http.Request) (any, error) {
		var res JobResults
		return &res, n.jobCall(r.Context(), "GET", r.PathValue("id"), "/results", &res)
	}))
	mux.HandleFunc("POST /v1/jobs/{id}/cancel", n.apiCall(func(r *http.Request) (any, error) {
		var st JobStatus
		return &st, n.jobCall(r.Context(), "POST", r.PathValue("id"), "/cancel", &st)
	}))
}

// apiCall answers with fn's result as JSON or its error as one line.
func (n *Node) apiCall(fn func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, v)
	}
}

// SubmitJob sends a job with its payment to a gateway through a circuit
// and returns the job ID the gateway assigned.
func (n *Node) SubmitJob(ctx context.Context, req *JobRequest) (string, error) {
	m := req.Manifest(time.Now())
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrJob, err)
	}
	t := Target{Role: overlay.RoleGateway}
	var ans submitAnswer
	if _, err := n.buyerClient(t).call(ctx, "POST", workPrefix+"jobs", "",
		submitRequest{Manifest: *m, Module: req.Module, Tokens: req.Tokens}, &ans); err != nil {
		return "", err
	}
	n.compute.mu.Lock()
	n.compute.jobs[ans.Job] = t
	n.compute.mu.Unlock()
	return ans.Job, nil
}

// jobCall forwards a job request to the gateway that took the job.
func (n *Node) jobCall(ctx context.Context, method, id, suffix string, out any) error {
	n.compute.mu.Lock()
	t, ok := n.compute.jobs[id]
	n.compute.mu.Unlock()
	if !ok {
		t = Target{Role: overlay.RoleGateway}
	}
	_, err := n.buyerClient(t).call(ctx, method, workPrefix+"jobs/"+id+suffix, "", nil, out)
	return err
}

// buyerClient returns the client for t, one per target so that its
// streams are reused.
func (n *Node) buyerClient(t Target) *workClient {
	n.compute.mu.Lock()
	defer n.compute.mu.Unlock()
	c := n.compute.clients[t]
	if c == nil {
		c = newWorkClient(n.circuitDial(t), 2)
		n.compute.clients[t] = c
	}
	return c
}

// SubmitJob asks the node to submit a job; it returns the job ID.
func (c *Client) SubmitJob(ctx context.Context, req *JobRequest) (string, error) {
	var id string
	return id, c.call(ctx, "POST", "/v1/jobs", req, &id)
}

// JobStatus asks the node for a job's progress.
func (c *Client) JobStatus(ctx context.Context, id string) (*JobStatus, error) {
	var st JobStatus
	return &st, c.call(ctx, "GET", "/v1/jobs/"+id, nil, &st)
}

// JobResults asks the node for a job's results and change.
func (c *Client) JobResults(ctx context.Context, id string) (*JobResults, error) {
	var res JobResults
	return &res, c.call(ctx, "GET", "/v1/jobs/"+id+"/results", nil, &res)
}

// CancelJob asks the gateway to stop dispatching a job.
func (c *Client) CancelJob(ctx context.Context, id string) (*JobStatus, error) {
	var st JobStatus
	return &st, c.call(ctx, "POST", "/v1/jobs/"+id+"/cancel", nil, &st)
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, &body)
	if err != nil {
		return err
	}
	long := *c.http
	long.Timeout = 5 * time.Minute
	return c.do(req, &long, out)
}
