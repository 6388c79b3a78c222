package node

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

	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// workClient speaks the work protocol to a gateway over whatever dial
// gives it: a direct libp2p stream (open workers) or a circuit stream
// (stealth workers and buyers).
type workClient struct {
	http *http.Client
	base string // "http://gateway" — the host part is never resolved
}

// maxWorkAnswer bounds a response: a job's results or a module.
const maxWorkAnswer = 256 << 20

// requestAttempts is how often a request is sent again on a new stream
// after its stream broke.
const requestAttempts = 3

func newWorkClient(dial dialFunc, conns int) *workClient {
	return &workClient{http: httpOver(dial, conns), base: "http://gateway"}
}

// circuitDial opens streams to the gateway's work service through circuits.
func (n *Node) circuitDial(t Target) dialFunc {
	return func(ctx context.Context) (net.Conn, error) { return n.DialService(ctx, t, WorkService) }
}

// directDial opens libp2p streams straight to a gateway found in the
// directory. Stealth workers never use it.
func (n *Node) directDial() dialFunc {
	return func(ctx context.Context) (net.Conn, error) {
		for _, d := range n.ov.Directory().Live() {
			if d.Roles&overlay.RoleGateway == 0 || d.Peer == n.ID() {
				continue
			}
			h := n.ov.Host()
			if err := h.Connect(ctx, peer.AddrInfo{ID: d.Peer, Addrs: d.Addrs}); err != nil {
				continue
			}
			s, err := h.NewStream(ctx, d.Peer, WorkProtocol)
			if err == nil {
				return streamConn{s}, nil
			}
		}
		return nil, fmt.Errorf("%w: no reachable gateway in the directory", ErrNoCompute)
	}
}

// call sends one request, with the bearer token if any, and decodes a JSON
// answer into out. A 204 leaves out untouched and reports false. Broken
// streams are retried on a new one.
func (c *workClient) call(ctx context.Context, method, path, token string, in, out any) (bool, error) {
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
		var he *httpError
		if err == nil || errors.As(err, &he) || ctx.Err() != nil {
			return ok, err
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return false, fmt.Errorf("node: compute: gateway unreachable: %w", last)
}

func (c *workClient) once(ctx context.Context, method, path, token string, body []byte, out any) (bool, error) {
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
		return false, &httpError{code: resp.StatusCode, msg: strings.TrimSpace(string(msg))}
	}
	if raw, ok := out.(*[]byte); ok {
		*raw, err = io.ReadAll(io.LimitReader(resp.Body, maxWorkAnswer))
		return true, err
	}
	return true, json.NewDecoder(io.LimitReader(resp.Body, maxWorkAnswer)).Decode(out)
}

// httpError is a gateway's refusal: its status and one-line reason.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return "node: compute: gateway: " + e.msg }

// Unwrap maps the status onto this package's sentinels.
func (e *httpError) Unwrap() error {
	switch e.code {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusPaymentRequired:
		return ErrPayment
	}
	return ErrJob
}

func bearer(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}
