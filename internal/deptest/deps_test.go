// Package deptest holds the project-wide structure tests: the dependency
// direction of DESIGN.md section 2 and the package doc-comment rule.
package deptest

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "cyclecash"

// rule says which of our packages a package (and its subpackages) may
// import, and why the others are forbidden.
type rule struct {
	pkg     string   // package path relative to the module, prefix match
	allowed []string // our packages it may import (prefix match); its own subtree always
	libp2p  bool     // may import github.com/libp2p/...
	why     string
	tests   []string // further packages its _test.go files may import
}

var rules = []rule{
	{"onion", nil, false, "sans-IO core: bytes in, bytes out; nothing of ours, no network", nil},
	{"ledger/pgstore", []string{"ledger", "internal/pgutil"}, false, "the ledger's PostgreSQL store: shares only the pool/migration/retry plumbing", nil},
	{"compute/pgqueue", []string{"compute", "internal/pgutil"}, false, "the queue's PostgreSQL store: shares only the pool/migration/retry plumbing", nil},
	{"ledger", nil, false, "sans-IO core and its stores: no network stack, no other package of ours", nil},
	{"compute", nil, false, "sandbox core: independent of the network and the ledger", []string{"examples"}},
	{"overlay/tor", []string{"overlay"}, true, "Tor bridge: sits beside overlay, imported only by node", []string{"internal/atomictest"}},
	{"overlay", []string{"onion"}, true, "network layer: carries onion cells, knows nothing of roles", []string{"internal/atomictest"}},
	{"market", []string{"ledger", "internal/pgutil"}, false, "marketplace: uses token types only, reaches the network through node; market/pgstore shares the pool/migration/retry plumbing", []string{"internal/chromiumtest"}},
	{"node/service", nil, false, "the seam: a leaf every role service imports, so it imports nothing of ours", []string{"internal/atomictest"}},
	{"node/work", []string{"node/service", "compute"}, false, "work protocol: wire types, client, codes; reaches the network only through service.Host", nil},
	{"node/gateway", []string{"node/service", "node/work", "compute", "ledger"}, false, "gateway work side: queue, escrow, payouts; the mint is a constructor argument", []string{"internal/pgutil/pgtest", "node/buyer", "node/worker"}},
	{"node/worker", []string{"node/service", "node/work", "compute", "ledger/wallet"}, false, "worker: speaks the work protocol, knows nothing of the gateway's escrow or settlement", []string{"ledger"}},
	{"node/buyer", []string{"node/service", "node/work", "compute"}, false, "buyer: speaks the work protocol through circuits only", nil},
	{"node/mint", []string{"node/service", "ledger"}, false, "mint: the ledger as a service; reads Ĉ through a constructor argument", nil},
	{"node/probe", []string{"node/service"}, false, "probe: fresh circuits through an interface node implements", nil},
	{"node/dashboard", []string{"node/service"}, false, "dashboard: renders the figures services report, never their state", []string{"internal/chromiumtest"}},
	{"node/hs", []string{"node/service", "onion/hs"}, false, "hidden services: onion/hs's protocol over circuits an interface node implements (no overlay, no libp2p)", nil},
	{"node/*", []string{"node/service", "node/work", "ledger", "compute", "market"}, false, "role service: sees the node only through service.Host (no node, no overlay, no libp2p)", nil},
	{"node", []string{"overlay", "market", "compute", "ledger", "onion"}, true, "composition root: wires the layers below", []string{"internal/pgutil/pgtest"}},
	{"internal/demo", []string{"node", "overlay", "ledger", "compute", "internal/testnet", "overlay/tor/tortest"}, false, "the demo drives a test network as a user would (and, with --tor, the tests' private Tor network); libp2p stays behind node", nil},
	{"internal/bench", []string{"node", "overlay", "ledger", "onion", "internal/testnet"}, false, "cyclecash bench: measures through the public APIs; libp2p stays behind node and overlay", nil},
	{"internal/testnet", []string{"node", "overlay", "ledger", "compute", "onion", "market", "internal/procstat"}, true, "test networks drive real nodes", []string{"overlay/tor/tortest", "internal/chromiumtest"}},
	{"cmd", []string{"node", "overlay", "ledger", "compute", "market", "onion", "internal/procstat", "internal/demo", "internal/bench"}, false, "CLI: flags and output; libp2p stays behind node", []string{"internal/pgutil/pgtest"}},
	{"internal", nil, false, "small helpers: no node, no network", nil},
	{"examples", nil, false, "wasm example programs stand alone", nil},
}

// importers lists who may import a package at all; a key ending in "!"
// names that package only, "/*" its subpackages only (node's services are
// node's to wire: only node and its services import them).
var importers = map[string][]string{
	"node!":        {"cmd", "internal/testnet", "internal/demo", "internal/bench"},
	"node/*":       {"node"},
	"overlay/tor!": {"node"},
	// The private Tor network of the tests (node's, testnet's); the demo starts it with --tor.
	"overlay/tor/tortest": {"node", "internal/demo", "internal/testnet"},
	"cmd":                 {},
}

func TestDependencyDirection(t *testing.T) {
	for _, v := range violations(packageImports(t, moduleRoot(t))) {
		t.Error(v)
	}
}

// violations checks every package's imports against its rule.
func violations(pkgs map[string][]importRef) []string {
	var out []string
	for pkg, imports := range pkgs {
		r, ok := ruleFor(pkg)
		if !ok {
			out = append(out, pkg+": no dependency rule; add it to deptest.rules")
			continue
		}
		for _, imp := range imports {
			if imp.test && anyWithin(strings.TrimPrefix(imp.path, module+"/"), r.tests) {
				continue
			}
			if v := checkImport(pkg, imp.path, r); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkImport returns why pkg may not import imp under r, or "".
func checkImport(pkg, imp string, r rule) string {
	if strings.HasPrefix(imp, "github.com/libp2p/") && !r.libp2p {
		return fmt.Sprintf("%s imports %s: forbidden (%s)", pkg, imp, r.why)
	}
	ours, ok := strings.CutPrefix(imp, module+"/")
	if !ok || ownTree(pkg, ours, r) {
		return ""
	}
	for target, who := range importers {
		if matches(ours, target) && !anyWithin(pkg, who) {
			return fmt.Sprintf("%s imports %s: only %v may", pkg, ours, who)
		}
	}
	if !anyWithin(ours, r.allowed) {
		return fmt.Sprintf("%s imports %s: forbidden (%s)", pkg, ours, r.why)
	}
	return ""
}

// matches reports whether ours is named by an importers key.
func matches(ours, key string) bool {
	if exact, ok := strings.CutSuffix(key, "!"); ok {
		return ours == exact
	}
	if prefix, ok := strings.CutSuffix(key, "/*"); ok {
		return strings.HasPrefix(ours, prefix+"/")
	}
	return within(ours, key)
}

// ownTree reports whether ours is within pkg's own subtree under rule r:
// r's package for a plain rule, pkg itself for a "prefix/*" rule.
func ownTree(pkg, ours string, r rule) bool {
	if strings.HasSuffix(r.pkg, "/*") {
		return within(ours, pkg)
	}
	return within(ours, r.pkg)
}

func ruleFor(pkg string) (rule, bool) {
	for _, r := range rules { // most specific first in the table
		if prefix, ok := strings.CutSuffix(r.pkg, "/*"); ok && strings.HasPrefix(pkg, prefix+"/") || within(pkg, r.pkg) {
			return r, true
		}
	}
	return rule{}, false
}

func within(pkg, prefix string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }

func anyWithin(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if within(pkg, p) {
			return true
		}
	}
	return false
}

// importRef is one import of one file.
type importRef struct {
	path string
	test bool // imported from a _test.go file
}

// packageImports parses every Go file of the module (tests included) and
// returns the imports per package directory.
func packageImports(t *testing.T, root string) map[string][]importRef {
	t.Helper()
	out := map[string][]importRef{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if hasBuildTag(f.Comments, "tools") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		test := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			out[rel] = append(out[rel], importRef{strings.Trim(imp.Path.Value, `"`), test})
		}
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(out, ".")
	return out
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
