package node

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"cyclecash/node/service"
	"cyclecash/overlay"
)

// The control API's secret on TCP. Any local user (and, through a
// browser, any web page) can reach a loopback port; only the node's owner
// can read its data directory. At each start a node listening on TCP
// writes a fresh random token to DATA/api.token (0600, atomically), and
// every request must carry it as "Authorization: Bearer <token>". A unix
// socket is 0600 already: it needs no token, and none is written.

// apiTokenFile is the token's name inside the data directory.
const apiTokenFile = "api.token"

// apiListener is the control API's listener with the token it demands
// ("" on a unix socket).
type apiListener struct {
	net.Listener
	token string
}

// newAPIToken writes a fresh token for a TCP listener into dataDir; on a
// unix socket it removes a stale one and returns "".
func newAPIToken(dataDir, network string) (string, error) {
	path := filepath.Join(dataDir, apiTokenFile)
	if network == "unix" {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("node: control API token: %w", err)
		}
		return "", nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("node: control API token: %w", err)
	}
	tok := hex.EncodeToString(b[:])
	if err := overlay.WriteFileAtomic(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", err
	}
	return tok, nil
}

// ReadAPIToken reads a control API token file, refusing one that others
// can read.
func ReadAPIToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("node: control API token: %w", err)
	}
	if err := service.CheckSecretMode(path); err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("node: control API token: %s is empty", path)
	}
	return tok, nil
}

// ClientOf returns a client for the node running in dataDir: the address
// it recorded in api.addr and, on TCP, the token in api.token.
func ClientOf(dataDir string) (*Client, error) {
	addr, err := APIAddrOf(dataDir)
	if err != nil {
		return nil, err
	}
	c := NewClient(addr)
	if strings.HasPrefix(addr, "unix:") {
		return c, nil
	}
	tok, err := ReadAPIToken(filepath.Join(dataDir, apiTokenFile))
	if err != nil {
		return nil, err
	}
	return c.WithToken(tok), nil
}

// Client returns a client for n's own control API, token included.
func (n *Node) Client() *Client {
	c := NewClient(n.APIAddr())
	n.mu.Lock()
	defer n.mu.Unlock()
	if l, ok := n.api.(*apiListener); ok {
		c = c.WithToken(l.token)
	}
	return c
}

// DashboardURL is the address to open n's dashboard in a browser. On TCP
// it carries the token once: the page trades it for a cookie and
// redirects to a URL without it.
func (n *Node) DashboardURL() string {
	c := n.Client()
	if c.token == "" {
		return c.base + "/"
	}
	return c.base + "/?" + dashboardTokenQuery + "=" + c.token
}
