// Package deptest holds the project-wide structure tests: the dependency
// direction of DESIGN.md section 2 and the package doc-comment rule.
package deptest

import (
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
	{"overlay/tor", []string{"overlay"}, true, "Tor bridge: sits beside overlay, imported only by node", nil},
	{"overlay", []string{"onion"}, true, "network layer: carries onion cells, knows nothing of roles", nil},
	{"market", []string{"ledger", "internal/pgutil"}, false, "marketplace: uses token types only, reaches the network through node; market/pgstore shares the pool/migration/retry plumbing", nil},
	{"node", []string{"overlay", "market", "compute", "ledger", "onion"}, true, "composition root: wires the layers below", []string{"internal/pgutil/pgtest"}},
	{"internal/demo", []string{"node", "overlay", "ledger", "compute", "internal/testnet"}, false, "the demo drives a test network as a user would; libp2p stays behind node", nil},
	{"internal/testnet", []string{"node", "overlay", "ledger", "compute", "onion", "market", "internal/procstat"}, true, "test networks drive real nodes", nil},
	{"cmd", []string{"node", "overlay", "ledger", "compute", "market", "onion", "internal/procstat", "internal/demo"}, false, "CLI: flags and output; libp2p stays behind node", []string{"internal/pgutil/pgtest"}},
	{"internal", nil, false, "small helpers: no node, no network", nil},
	{"examples", nil, false, "wasm example programs stand alone", nil},
}

// importers lists who may import a package at all.
var importers = map[string][]string{
	"node":        {"cmd", "internal/testnet", "internal/demo"},
	"overlay/tor": {"node"},
	"cmd":         {},
}

func TestDependencyDirection(t *testing.T) {
	root := moduleRoot(t)
	for pkg, imports := range packageImports(t, root) {
		r, ok := ruleFor(pkg)
		if !ok {
			t.Errorf("%s: no dependency rule; add it to deptest.rules", pkg)
			continue
		}
		for _, imp := range imports {
			if imp.test && anyWithin(strings.TrimPrefix(imp.path, module+"/"), r.tests) {
				continue
			}
			checkImport(t, pkg, imp.path, r)
		}
	}
}

func checkImport(t *testing.T, pkg, imp string, r rule) {
	t.Helper()
	if strings.HasPrefix(imp, "github.com/libp2p/") && !r.libp2p {
		t.Errorf("%s imports %s: forbidden (%s)", pkg, imp, r.why)
	}
	ours, ok := strings.CutPrefix(imp, module+"/")
	if !ok || within(ours, r.pkg) {
		return
	}
	for target, who := range importers {
		if within(ours, target) && !anyWithin(pkg, who) {
			t.Errorf("%s imports %s: only %v may", pkg, ours, who)
			return
		}
	}
	if !anyWithin(ours, r.allowed) {
		t.Errorf("%s imports %s: forbidden (%s)", pkg, ours, r.why)
	}
}

func ruleFor(pkg string) (rule, bool) {
	for _, r := range rules { // most specific first in the table
		if within(pkg, r.pkg) {
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
