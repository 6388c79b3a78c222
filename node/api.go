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
	"os"
	"path/filepath"
	"strings"
	"time"

	"cyclecash/overlay"
)

// apiAddrFile records where the control API listens, so `cyclecash status
// --data DIR` finds a node started with an ephemeral port.
const apiAddrFile = "api.addr"

// listenAPI binds the control API: a unix socket (0600) or loopback TCP,
// whose token it writes (apitoken.go).
func (n *Node) listenAPI() error {
	ep, err := n.cfg.apiEndpoint()
	if err != nil {
		return err
	}
	if ep[0] == "unix" {
		_ = os.Remove(ep[1]) // a stale socket from a killed run
	}
	l, err := net.Listen(ep[0], ep[1])
	if err != nil {
		return fmt.Errorf("node: control API: %w", err)
	}
	addr := l.Addr().String()
	if ep[0] == "unix" {
		if err := os.Chmod(ep[1], 0o600); err != nil {
			l.Close()
			return err
		}
		addr = "unix:" + ep[1]
	}
	tok, err := newAPIToken(n.cfg.DataDir, ep[0])
	if err != nil {
		l.Close()
		return err
	}
	if err := overlay.WriteFileAtomic(filepath.Join(n.cfg.DataDir, apiAddrFile), []byte(addr+"\n"), 0o600); err != nil {
		l.Close()
		return err
	}
	n.mu.Lock()
	n.api = &apiListener{Listener: l, token: tok}
	n.mu.Unlock()
	return nil
}

// APIAddr is the control API's address ("unix:PATH" or "HOST:PORT"), once Run started it.
func (n *Node) APIAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.api == nil {
		return ""
	}
	if n.api.Addr().Network() == "unix" {
		return "unix:" + n.api.Addr().String()
	}
	return n.api.Addr().String()
}

func (n *Node) serveAPI() *http.Server {
	mux := n.host.mux // the services registered their endpoints on it in New
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, n.Status())
	})
	n.mu.Lock()
	l := n.api.(*apiListener)
	n.mu.Unlock()
	srv := &http.Server{Handler: newAPIGuard(endpoints{mux}, l), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		// Closing the listener at shutdown is not an error; anything else
		// is logged without the error text, which quotes the address.
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			n.log.Error("control API stopped unexpectedly")
		}
	}()
	return srv
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Client talks to a running node's control API.
type Client struct {
	http  *http.Client
	base  string
	token string // the control API token on TCP; "" on a unix socket
}

// NewClient returns a client for the API at addr ("unix:PATH" or "HOST:PORT").
func NewClient(addr string) *Client {
	tr := &http.Transport{}
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		addr = "node"
	}
	return &Client{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: "http://" + addr}
}

// WithToken returns a copy of c that sends the control API token tok.
func (c *Client) WithToken(tok string) *Client {
	cp := *c
	cp.token = tok
	return &cp
}

// prepare adds the token and, on a request that may change state, the
// JSON content type the API demands.
func (c *Client) prepare(req *http.Request) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if !safeMethod(req.Method) {
		req.Header.Set("Content-Type", "application/json")
	}
}

// APIAddrOf reads the control API address a node in dataDir recorded.
func APIAddrOf(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, apiAddrFile))
	if err != nil {
		return "", fmt.Errorf("node: no running node recorded in %s (is it started?)", dataDir)
	}
	return strings.TrimSpace(string(b)), nil
}

// Status fetches the node's status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var st Status
	return &st, c.get(ctx, "/v1/status", &st)
}

func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	return c.do(req, c.http, out)
}

func (c *Client) do(req *http.Request, hc *http.Client, out any) error {
	c.prepare(req)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("node: control API unreachable (is the node running?)")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("node: control API: %s: %w", resp.Status, decodeAPIError(resp.StatusCode, bytes.TrimSpace(b)))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
