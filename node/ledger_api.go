package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"cyclecash/ledger"
)

// The operator's ledger commands on the control API. With bbolt a running
// gateway holds the ledger file locked, so `cyclecash ledger` goes through
// here while the node runs, and opens the store itself otherwise.

// ErrNodeNotRunning is returned by the Client's ledger calls when no node
// answers at its address, so the caller can open the ledger directly.
var ErrNodeNotRunning = errors.New("node: control API unreachable (is the node running?)")

// maxLedgerBody bounds a ledger request on the control API.
const maxLedgerBody = 4 << 10

// payRequest is the body of POST /v1/ledger/quote/pay.
type payRequest struct {
	Quote string `json:"quote"`
}

// registerLedgerAPI adds the ledger endpoints to the control API mux.
func (n *Node) registerLedgerAPI(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/ledger/quote/pay", n.ledgerHandler(func(r *http.Request, l *Ledger) (any, error) {
		var req payRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, maxLedgerBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.Quote == "" {
			return nil, errors.New("node: ledger: malformed request")
		}
		return l.PayQuote(r.Context(), req.Quote)
	}))
	mux.HandleFunc("GET /v1/ledger/report", n.ledgerHandler(func(r *http.Request, l *Ledger) (any, error) {
		return l.Report(r.Context())
	}))
	mux.HandleFunc("GET /v1/ledger/keysets", n.ledgerHandler(func(r *http.Request, l *Ledger) (any, error) {
		return l.Keysets()
	}))
}

// ledgerHandler answers with fn's result as JSON, or its error as one
// plain line; the control API is local, and ledger errors carry no secrets.
func (n *Node) ledgerHandler(fn func(*http.Request, *Ledger) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := n.Ledger()
		if l == nil {
			http.Error(w, ErrNoLedger.Error(), http.StatusNotFound)
			return
		}
		v, err := fn(r, l)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, v)
	}
}

// PayQuote asks the running gateway to record a cash sale for quote id.
func (c *Client) PayQuote(ctx context.Context, id string) (ledger.Quote, error) {
	var q ledger.Quote
	return q, c.ledgerCall(ctx, http.MethodPost, "/v1/ledger/quote/pay", payRequest{Quote: id}, &q)
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

// ledgerCall is one control API round trip; an error answer becomes an
// error with the node's message, a failed connection ErrNodeNotRunning.
func (c *Client) ledgerCall(ctx context.Context, method, path string, in, out any) error {
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
	resp, err := c.http.Do(req)
	if err != nil {
		return ErrNodeNotRunning
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		if resp.StatusCode == http.StatusNotFound && !strings.HasPrefix(string(b), "node:") {
			return ErrNoLedger // a node from before the ledger endpoints
		}
		return errors.New(strings.TrimSpace(string(b)))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
