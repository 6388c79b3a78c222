package node

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/ledger"
)

// runNode starts a node on loopback with roles and returns it running.
func runNode(t *testing.T, dir string, roles ...string) *Node {
	t.Helper()
	return runNodeConfig(t, Config{DataDir: dir, Roles: roles, Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		API: "127.0.0.1:0", Ledger: LedgerConfig{HTTP: "127.0.0.1:0", Capacity: 3_000_000}})
}

// runNodeConfig starts a node with cfg and returns it running.
func runNodeConfig(t *testing.T, cfg Config) *Node {
	t.Helper()
	n, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		n.Close()
	})
	return n
}

// TestGatewayLedger: a gateway opens its ledger with a 0600 master secret,
// serves the Cashu API on ledger.http and the operator's endpoints on the
// control API, and holds the bbolt file so a second opener is told why.
func TestGatewayLedger(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := runNode(t, dir, "gateway")
	if n.LedgerHandler() == nil || n.Ledger() == nil || n.LedgerAddr() == "" {
		t.Fatal("a gateway has no ledger")
	}
	info, err := os.Stat(filepath.Join(dir, LedgerKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("master secret: %v %v", info, err)
	}
	resp, err := http.Get("http://" + n.LedgerAddr() + "/v1/keysets")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/keysets: %v %v", resp, err)
	}
	resp.Body.Close()

	ctx := context.Background()
	c := n.Client()
	q, err := n.Ledger().Mint().CreateQuote(ctx, 10, ledger.Unit)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.PayQuote(ctx, q.ID); err != nil || got.State != ledger.QuotePaid {
		t.Fatalf("pay over the control API: %+v %v", got, err)
	}
	if _, err := c.PayQuote(ctx, "nope"); err == nil || err.Error() != ledger.ErrUnknownQuote.Error() {
		t.Fatalf("unknown quote: %v", err)
	}
	r, err := c.LedgerReport(ctx)
	if err != nil || r.Capacity != 3_000_000 || r.DailyCap != 80_000 {
		t.Fatalf("report: %+v %v", r, err)
	}
	ks, err := c.LedgerKeysets(ctx)
	if err != nil || len(ks) == 0 || !ks[0].Active {
		t.Fatalf("keysets: %+v %v", ks, err)
	}
	_, err = OpenLedger(ctx, Config{DataDir: dir}, false)
	if err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("second opener of a running gateway's ledger: %v", err)
	}
}

// TestRelayHasNoLedger: other roles open no ledger, and the operator's
// endpoints say so.
func TestRelayHasNoLedger(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := runNode(t, dir, "relay")
	if n.LedgerHandler() != nil || n.Ledger() != nil || n.LedgerAddr() != "" {
		t.Fatal("a relay has a ledger")
	}
	if _, err := os.Stat(filepath.Join(dir, LedgerKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a relay made a master secret: %v", err)
	}
	if _, err := n.Client().LedgerReport(context.Background()); !errors.Is(err, ErrNoLedger) {
		t.Fatalf("report from a relay: %v", err)
	}
}

func TestLedgerOpenRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := OpenLedger(ctx, Config{DataDir: dir}, false); err == nil || !strings.Contains(err.Error(), "no master secret") {
		t.Fatalf("open without a secret: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, LedgerDBFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused open created the store")
	}
	for _, c := range []struct {
		cfg  LedgerConfig
		want string
	}{
		{LedgerConfig{Store: "mysql"}, `ledger.store: "mysql" is not`},
		{LedgerConfig{Store: StorePostgres}, "ledger.postgres: a DSN is required"},
	} {
		_, err := New(Config{DataDir: dir, Ledger: c.cfg}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v", c.cfg, err)
		}
	}
	d := t.TempDir()
	_, err := New(Config{DataDir: d, Roles: []string{"gateway"}, Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		API: "127.0.0.1:0", Ledger: LedgerConfig{HTTP: "nonsense"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "node: ledger.http:") {
		t.Fatalf("bad ledger.http: %v", err)
	}
	// The failed start left nothing locked: a corrected start succeeds.
	runNode(t, d, "gateway")
}
