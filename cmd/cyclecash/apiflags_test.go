package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/node"
)

// TestAPITokenFlags: a node on a TCP control API answers `status --api
// ADDR` only with its token: from --api-token FILE or --data DIR. Without
// either the command fails with the token error, naming both ways.
func TestAPITokenFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := node.New(node.Config{DataDir: dir, Roles: []string{"relay"},
		Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; n.Close() })
	run := func(args ...string) (int, string) {
		var out, errb strings.Builder
		code := Main(context.Background(), append([]string{"status", "--json"}, args...), &out, &errb)
		return code, errb.String()
	}
	if code, stderr := run("--api", n.APIAddr()); code == 0 || !strings.Contains(stderr, node.ErrAPIToken.Error()) {
		t.Fatalf("status without the token: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{
		{"--api", n.APIAddr(), "--api-token", filepath.Join(dir, "api.token")},
		{"--api", n.APIAddr(), "--data", dir},
		{"--data", dir},
	} {
		if code, stderr := run(args...); code != 0 {
			t.Errorf("status %v: exit %d, %s", args, code, stderr)
		}
	}
}
