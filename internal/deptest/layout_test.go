package deptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// depsOf maps each package matching patterns in the module at root to
// its transitive dependencies (what `go list -deps` of it lists, itself
// left out), in one go list run. In a synthetic tree (TestTransitiveLeaksCaught)
// missing modules are listed, never fetched.
func depsOf(t *testing.T, root string, synthetic bool, patterns ...string) map[string][]string {
	t.Helper()
	args := []string{"list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = root
	if synthetic {
		cmd.Args = append(cmd.Args[:2], append([]string{"-e"}, cmd.Args[2:]...)...)
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", patterns, err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	return m
}

// cores are onion, ledger and compute, each with what it may reach
// besides its own tree: the PostgreSQL stores of ledger and compute share
// internal/pgutil; onion shares nothing.
var cores = []struct {
	name   string
	shares []string
}{
	{"onion", nil},
	{"ledger", []string{"internal/pgutil"}},
	{"compute", []string{"internal/pgutil"}},
}

// coreLeaks lists every package of ours or of libp2p that a core's
// packages reach, transitively, beyond what the core may.
func coreLeaks(t *testing.T, root string, synthetic bool) []string {
	t.Helper()
	var out []string
	for _, c := range cores {
		for pkg, ds := range depsOf(t, root, synthetic, module+"/"+c.name+"/...") {
			for _, d := range ds {
				ours, ok := strings.CutPrefix(d, module+"/")
				if strings.Contains(d, "libp2p") || ok && !within(ours, c.name) && !anyWithin(ours, c.shares) {
					out = append(out, fmt.Sprintf("%s reaches %s", pkg, d))
				}
			}
		}
	}
	return out
}

// gatewaySide are the packages of the gateway's side of the work protocol
// (escrow, settlement, payouts; the ledger as a service) that a worker or
// a buyer must never carry.
var gatewaySide = []string{"node/gateway", "node/mint"}

// serviceLeaks lists what node's role services reach, transitively, that
// they must not: node itself, overlay or libp2p for every package under
// node/, and the gateway's side for the worker and the buyer.
func serviceLeaks(t *testing.T, root string, synthetic bool) []string {
	t.Helper()
	var out []string
	for pkg, ds := range depsOf(t, root, synthetic, module+"/node/...") {
		if pkg == module+"/node" {
			continue
		}
		client := pkg == module+"/node/worker" || pkg == module+"/node/buyer"
		for _, d := range ds {
			ours, _ := strings.CutPrefix(d, module+"/")
			if d == module+"/node" || within(d, module+"/overlay") || strings.Contains(d, "libp2p") ||
				client && anyWithin(ours, gatewaySide) {
				out = append(out, fmt.Sprintf("%s depends on %s", pkg, d))
			}
		}
	}
	return out
}

// TestCoresStandAlone: onion, ledger and compute reach nothing else of
// ours, even transitively (the PostgreSQL stores of ledger and compute
// share internal/pgutil), and no libp2p.
func TestCoresStandAlone(t *testing.T) {
	t.Parallel()
	for _, v := range coreLeaks(t, moduleRoot(t), false) {
		t.Error(v)
	}
}

// TestServiceDeps: the worker and the buyer carry none of the gateway's
// code (escrow, settlement) and no package under node/ but node itself
// reaches node, overlay or libp2p, even transitively: every package
// under node/ is listed, so a new service is checked without a new line.
func TestServiceDeps(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	deps := depsOf(t, root, false, module+"/node/...")
	for _, s := range []string{"worker", "buyer", "gateway", "mint"} {
		if _, ok := deps[module+"/node/"+s]; !ok {
			t.Fatalf("go list found no node/%s: the check would pass by matching nothing", s)
		}
	}
	for _, v := range serviceLeaks(t, root, false) {
		t.Error(v)
	}
}

// TestTransitiveLeaksCaught: coreLeaks and serviceLeaks catch imports
// that reach a forbidden package only through another package, in
// synthetic module trees, and pass a tree that keeps the rules.
func TestTransitiveLeaksCaught(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string // package dir -> its one import ("" = none)
		want  string            // a violation that must be reported; "" = none at all
	}{
		{"worker reaches escrow through the protocol", map[string]string{
			"node/worker": "cyclecash/node/work", "node/work": "cyclecash/node/gateway", "node/gateway": ""},
			"cyclecash/node/worker depends on cyclecash/node/gateway"},
		{"buyer reaches the mint through the seam", map[string]string{
			"node/buyer": "cyclecash/node/service", "node/service": "cyclecash/node/mint", "node/mint": ""},
			"cyclecash/node/buyer depends on cyclecash/node/mint"},
		{"a new service reaches overlay through the seam", map[string]string{
			"node/newsvc": "cyclecash/node/service", "node/service": "cyclecash/overlay", "overlay": ""},
			"cyclecash/node/newsvc depends on cyclecash/overlay"},
		{"a service reaches libp2p through the seam", map[string]string{
			"node/hs": "cyclecash/node/service", "node/service": "github.com/libp2p/go-libp2p/core/peer"},
			"cyclecash/node/hs depends on github.com/libp2p/go-libp2p/core/peer"},
		{"a service reaches the composition root", map[string]string{
			"node/metrics": "cyclecash/node/service", "node/service": "cyclecash/node", "node": ""},
			"cyclecash/node/metrics depends on cyclecash/node"},
		{"ledger reaches onion through pgutil", map[string]string{
			"ledger/pgstore": "cyclecash/internal/pgutil", "internal/pgutil": "cyclecash/onion", "onion": ""},
			"cyclecash/ledger/pgstore reaches cyclecash/onion"},
		{"compute reaches the ledger through its own subpackage", map[string]string{
			"compute": "cyclecash/compute/boltqueue", "compute/boltqueue": "cyclecash/ledger", "ledger": ""},
			"cyclecash/compute reaches cyclecash/ledger"},
		{"onion shares no pgutil", map[string]string{
			"onion": "cyclecash/internal/pgutil", "internal/pgutil": ""},
			"cyclecash/onion reaches cyclecash/internal/pgutil"},
		{"rules kept", map[string]string{
			"node/worker": "cyclecash/node/work", "node/work": "cyclecash/node/service", "node/service": "",
			"node/gateway": "cyclecash/node/work", "node": "cyclecash/node/gateway",
			"ledger/pgstore": "cyclecash/internal/pgutil", "internal/pgutil": "", "compute": "cyclecash/compute/boltqueue",
			"compute/boltqueue": "", "onion": ""},
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, root, "go.mod", "module cyclecash\n\ngo 1.24\n")
			for dir, imp := range tc.files {
				src := "package x\n"
				if imp != "" {
					src += "\nimport _ \"" + imp + "\"\n"
				}
				write(t, root, filepath.Join(dir, "x.go"), src)
			}
			got := append(coreLeaks(t, root, true), serviceLeaks(t, root, true)...)
			if tc.want == "" && len(got) > 0 || tc.want != "" && !slices.Contains(got, tc.want) {
				t.Errorf("violations %q, want %q", got, tc.want)
			}
		})
	}
}
