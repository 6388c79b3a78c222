package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"cyclecash/ledger"
	"cyclecash/node/mint"
)

// The control API's client side: what `cyclecash` subcommands call on a
// running node. Each method names its endpoint; the services register the
// server side (mint, buyer, probe, dashboard).

// ErrNodeNotRunning is returned by the Client's ledger calls when no node
// answers at its address, so the caller can open the ledger directly.
var ErrNodeNotRunning = errors.New("node: control API unreachable (is the node running?)")

// PayQuote asks the running gateway to record a cash sale for quote id.
func (c *Client) PayQuote(ctx context.Context, id string) (ledger.Quote, error) {
	var q ledger.Quote
	return q, c.ledgerCall(ctx, http.MethodPost, "/v1/ledger/quote/pay", mint.PayRequest{Quote: id}, &q)
}

// LedgerReport fetches the running gateway's supply report.
func (c *Client) LedgerReport(ctx context.Context) (LedgerReport, error) {
	var r LedgerReport
	return r, c.ledgerCall(ctx, http.MethodGet, "/v1/ledger/report", nil, &r)
}

// LedgerKeysets fetches the running gateway's accepted keysets.
func (c *Client) LedgerKeysets(ctx context.Context) ([]KeysetInfo, error) {
	var ks []KeysetInfo
	return ks, c.ledgerCall(ctx, http.MethodGet, "/v1/ledger/keysets", nil, &ks)
}

// ledgerCall is one control API round trip to the ledger's endpoints;
// ErrNoEndpoint means the node is not a gateway.
func (c *Client) ledgerCall(ctx context.Context, method, path string, in, out any) error {
	return c.roundTrip(ctx, method, path, in, out, ErrNoLedger)
}

// Call is one round trip to any control API endpoint: in (if not nil) is
// sent as JSON, the answer decoded into out; a refusal decodes into its
// sentinel (APIError), a failed connection is ErrNodeNotRunning.
func (c *Client) Call(ctx context.Context, method, path string, in, out any) error {
	return c.roundTrip(ctx, method, path, in, out, nil)
}

// roundTrip sends in as JSON and decodes the answer into out. missing (if
// not nil) is the sentinel for "this node has no such service", returned
// in place of ErrNoEndpoint.
func (c *Client) roundTrip(ctx context.Context, method, path string, in, out any, missing error) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	c.prepare(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return ErrNodeNotRunning
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		e := decodeAPIError(resp.StatusCode, bytes.TrimSpace(b))
		if missing != nil && errors.Is(e, ErrNoEndpoint) {
			return missing
		}
		return e
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(out)
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

// Probe asks the node to probe circuits. It may take as long as the probe
// does: only ctx bounds it.
func (c *Client) Probe(ctx context.Context, req ProbeRequest) ([]ProbeResult, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/probe", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("node: probe: %w", err)
	}
	long := *c.http
	long.Timeout = 0
	var out []ProbeResult
	return out, c.do(hr, &long, &out)
}

// Dashboard fetches the node's dashboard figures.
func (c *Client) Dashboard(ctx context.Context) (*Dashboard, error) {
	var d Dashboard
	return &d, c.get(ctx, "/v1/dashboard", &d)
}
