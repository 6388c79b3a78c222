package mintapi_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
)

// cashuTSDir holds package.json (pinning @cashu/cashu-ts 4.8.0), its lock
// file and the script; node_modules is installed there on first use.
const cashuTSDir = "testdata/cashuts"

// nodeOrSkip returns the node binary; without one the test is skipped,
// except under CI, where it fails.
func nodeOrSkip(t *testing.T) string {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed; the cashu-ts interop test needs Node 20 under CI")
		}
		t.Skip("node not installed")
	}
	if _, err := os.Stat(filepath.Join(cashuTSDir, "node_modules", "@cashu", "cashu-ts", "package.json")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = cashuTSDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", cashuTSDir, err, out)
		}
	}
	return node
}

// An unmodified cashu-ts 4.8.0 wallet loads our keysets (their IDs verify
// in cashu-ts), receives a token our wallet sent, checks state and sends
// a token back (with 8-byte short keyset IDs) that our wallet receives.
// The units are five days old, so several keysets are active and cashu-ts
// must pick the token's own.
func TestCashuTSInterop(t *testing.T) {
	node := nodeOrSkip(t)
	f, srv := newServer(t)
	ctx := context.Background()
	alice, err := wallet.Create(filepath.Join(t.TempDir(), "alice"), srv.URL, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := wallet.Create(filepath.Join(t.TempDir(), "bob"), srv.URL, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := alice.Buy(ctx, 13)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Mint(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	f.Clock = f.Clock.Add(5 * 24 * time.Hour)
	tok, err := alice.Send(ctx, 9, "to cashu-ts")
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, node, "script.mjs", srv.URL, tok, "5")
	cmd.Dir = cashuTSDir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cashu-ts script: %v\n%s", err, stderr.String())
	}
	t.Logf("cashu-ts script ran in %v", time.Since(start).Round(time.Millisecond))
	var ans struct {
		Token   string `json:"token"`
		Keysets int    `json:"keysets"`
	}
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("script output %q: %v", out, err)
	}
	if ans.Keysets < 6 {
		t.Fatalf("cashu-ts saw %d active keysets, want the 6 of days 0-5", ans.Keysets)
	}
	back, err := ledger.DecodeToken(ans.Token)
	if err != nil {
		t.Fatalf("our decoder on cashu-ts's token: %v", err)
	}
	if !back.Proofs[0].ID.IsShort() {
		t.Fatalf("cashu-ts sent keyset id %s; the test expects its short form (NUT-00)", back.Proofs[0].ID)
	}
	if got, err := bob.Receive(ctx, ans.Token); err != nil || got != 5 {
		t.Fatalf("our wallet receiving cashu-ts's token (keyset id %s): %d %v", back.Proofs[0].ID, got, err)
	}
	st, err := bob.Status(ctx, ans.Token)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.State != ledger.Spent {
			t.Fatalf("cashu-ts's token is %s after our wallet received it", s.State)
		}
	}
}
