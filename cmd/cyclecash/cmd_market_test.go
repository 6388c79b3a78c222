package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMarketCLI: `cyclecash market` reaches a running market node
// (`cyclecash run` with role market, its site on a loopback port) through
// the control API; a wrong order or a missing --to is refused.
func TestMarketCLI(t *testing.T) {
	data := t.TempDir()
	cfg := `roles = ["relay", "market"]
listen = ["/ip4/127.0.0.1/tcp/0"]
api = "127.0.0.1:0"
log_level = "warn"

[market]
listen = "127.0.0.1:0"
`
	if err := os.WriteFile(filepath.Join(data, "node.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	startProc(t, "--data", data)
	out := mustCLI(t, "market", "--data", data, "status")
	if !regexp.MustCompile(`site\s+http://127\.0\.0\.1:\d+`).MatchString(out) {
		t.Fatalf("status: %q", out)
	}
	if rep := mustCLI(t, "market", "--data", data, "report"); rep != out {
		t.Fatalf("report %q, status %q", rep, out)
	}
	if _, errs, code := cli("market", "--data", data, "settle", "0123456789abcdef", "--to", "seller"); code != 1 || !strings.Contains(errs, "market: not found") {
		t.Fatalf("settle of an unknown order: exit %d, %q", code, errs)
	}
	if out := mustCLI(t, "market", "--data", data, "disputes"); !strings.HasPrefix(out, "order") || strings.Count(out, "\n") != 0 {
		t.Fatalf("disputes of a fresh market: %q", out)
	}
	if _, errs, code := cli("market", "--data", data, "resolve", "0123456789abcdef", "--to", "buyer"); code != 1 || !strings.Contains(errs, "market: not found") {
		t.Fatalf("resolve an unknown order: %d %q", code, errs)
	}
	if _, _, code := cli("market", "--data", data, "resolve", "0123456789abcdef"); code != 2 {
		t.Fatalf("resolve without --to: exit %d", code)
	}
	if _, _, code := cli("market", "--data", data, "cashout", "settle", "0123456789abcdef", "--paid", "--refuse"); code != 2 {
		t.Fatalf("settle both paid and refused: exit %d", code)
	}
	if secret, err := os.Stat(filepath.Join(data, "market-operator.secret")); err != nil || secret.Mode().Perm() != 0o600 {
		t.Fatalf("operator secret file: %v", err)
	}
}
