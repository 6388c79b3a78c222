package work

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"cyclecash/node/service"
)

// Client speaks the work protocol to a gateway over whatever dial
// gives it: a direct libp2p stream (open workers) or a circuit stream
// (stealth workers and buyers).
type Client struct {
	http *http.Client
	base string // "http://gateway" — the host part is never resolved
}

// maxAnswer bounds a response: a job's results or a module.
const maxAnswer = 256 << 20

// requestAttempts is how often a request is sent again on a new stream
// after its stream broke.
const requestAttempts = 3

// NewClient returns a client whose every connection is a stream from
// dial, keeping up to conns idle.
func NewClient(dial DialFunc, conns int) *Client {
	return &Client{http: httpOver(dial, conns), base: "http://gateway"}
}

// CircuitDial opens streams to a gateway's work service through circuits.
func CircuitDial(h service.Host) DialFunc {
	return func(ctx context.Context) (net.Conn, error) { return h.DialCircuit(ctx, service.Gateway, Service) }
}

// DirectDial opens direct streams to a gateway found in the directory.
// Stealth workers never use it.
func DirectDial(h service.Host) DialFunc {
	return func(ctx context.Context) (net.Conn, error) {
		c, err := h.DialDirect(ctx, service.Gateway, Protocol)
		if err != nil {
			return nil, fmt.Errorf("%w: no reachable gateway in the directory", ErrNoCompute)
		}
		return c, nil
	}
}

// HTTP is the client's HTTP client (its transport dials streams), for the
// stealth wallet's requests to the gateway's ledger.
func (c *Client) HTTP() *http.Client { return c.http }

// LedgerURL is the base URL of the gateway's Cashu API over this client.
func (c *Client) LedgerURL() string { return c.base + LedgerPath }

// Call sends one request, with the bearer token if any, and decodes a JSON
// answer into out. A 204 leaves out untouched and reports false. Broken
// streams are retried on a new one.
func (c *Client) Call(ctx context.Context, method, path, token string, in, out any) (bool, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return false, err
		}
	}
	var last error
	for range requestAttempts {
		ok, err := c.once(ctx, method, path, token, body, out)
		var re *RemoteError
		if err == nil || errors.As(err, &re) || ctx.Err() != nil {
			return ok, err
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return false, fmt.Errorf("node: compute: gateway unreachable: %w", last)
}

func (c *Client) once(ctx context.Context, method, path, token string, body []byte, out any) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return false, nil
	case resp.StatusCode != http.StatusOK:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return false, decodeError(resp.StatusCode, bytes.TrimSpace(msg))
	}
	if raw, ok := out.(*[]byte); ok {
		*raw, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		return true, err
	}
	return true, json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(out)
}

// Bearer is the session token of a worker request.
func Bearer(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}
