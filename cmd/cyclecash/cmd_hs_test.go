package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/onion/hs"
)

// TestHSAddress: `hs address` prints a parseable .mesh address, the same
// one on every call (the key persists), and refuses an unknown name.
func TestHSAddress(t *testing.T) {
	dir := t.TempDir()
	toml := "data = \"" + dir + "\"\n[[hidden_service]]\nname = \"market\"\nports = [\"80 127.0.0.1:8080\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "node.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), args, &out, &errb)
		return strings.TrimSpace(out.String()), code
	}
	a1, code := run("hs", "address", "--data", dir, "market")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if _, err := hs.ParseAddress(a1); err != nil {
		t.Fatalf("%q: %v", a1, err)
	}
	if a2, _ := run("hs", "address", "--data", dir, "market"); a2 != a1 {
		t.Fatalf("address changed: %s then %s", a1, a2)
	}
	if st, err := os.Stat(filepath.Join(dir, "hs", "market.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if _, code := run("hs", "address", "--data", dir, "other"); code != 1 {
		t.Fatalf("unknown name: exit %d, want 1", code)
	}
}
