package deptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestViolationsCaught: the rules catch a wrong import in a synthetic
// module tree, so TestDependencyDirection cannot pass by matching nothing.
func TestViolationsCaught(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir, imp string
		bad      bool
	}{
		{"node/worker", "cyclecash/node/gateway", true},              // a worker reaching the gateway's escrow
		{"node/buyer", "cyclecash/node", true},                       // a service importing the composition root
		{"node/gateway", "cyclecash/overlay", true},                  // a service reaching around the Host
		{"node/mint", "github.com/libp2p/go-libp2p/core/peer", true}, // libp2p in a service
		{"node/socks", "cyclecash/overlay", true},                    // a new service without its row
		{"node/work", "cyclecash/ledger", true},                      // the protocol is not the ledger's
		{"ledger", "cyclecash/compute", true},                        // a core importing another
		{"internal/demo", "cyclecash/node/gateway", true},            // services are node's to wire
		{"cmd/cyclecash", "github.com/libp2p/go-libp2p", true},
		{"node/gateway", "cyclecash/node/work", false},
		{"node/worker", "cyclecash/ledger/wallet", false},
		{"node", "cyclecash/node/mint", false},
		{"internal/testnet", "cyclecash/node", false},
		{"node/socks", "cyclecash/node/service", false},
	} {
		root := t.TempDir()
		write(t, root, "go.mod", "module cyclecash\n")
		write(t, root, filepath.Join(tc.dir, "x.go"), "package x\n\nimport _ \""+tc.imp+"\"\n")
		got := violations(packageImports(t, root))
		if bad := len(got) > 0; bad != tc.bad {
			t.Errorf("%s importing %s: violations %q, want bad=%v", tc.dir, tc.imp, got, tc.bad)
		}
	}
}

func write(t *testing.T, root, name, text string) {
	t.Helper()
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// deps lists the packages pkgs depend on, transitively (go list -deps).
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps %v: %v", pkgs, err)
	}
	return strings.Fields(string(out))
}

// TestCoresStandAlone: onion, ledger and compute reach nothing else of
// ours, even transitively (their PostgreSQL stores share internal/pgutil),
// and no libp2p.
func TestCoresStandAlone(t *testing.T) {
	t.Parallel()
	for _, core := range []string{"onion", "ledger", "compute"} {
		for _, d := range deps(t, module+"/"+core+"/...") {
			ours, ok := strings.CutPrefix(d, module+"/")
			if strings.Contains(d, "libp2p") || ok && !within(ours, core) && !within(ours, "internal/pgutil") {
				t.Errorf("%s reaches %s", core, d)
			}
		}
	}
}

// TestServiceDeps: the worker and the buyer carry none of the gateway's
// code (escrow, settlement) and none of node, overlay or libp2p, even
// transitively; no role service reaches node, overlay or libp2p.
func TestServiceDeps(t *testing.T) {
	t.Parallel()
	for _, d := range deps(t, module+"/node/worker", module+"/node/buyer") {
		if d == module+"/node/gateway" || d == module+"/node/mint" {
			t.Errorf("worker or buyer depends on %s", d)
		}
	}
	services := []string{"service", "work", "gateway", "worker", "buyer", "mint", "probe", "dashboard"}
	for _, s := range services {
		for _, d := range deps(t, module+"/node/"+s) {
			if d == module+"/node" || within(d, module+"/overlay") || strings.Contains(d, "libp2p") {
				t.Errorf("node/%s depends on %s", s, d)
			}
		}
	}
}
