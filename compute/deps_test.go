package compute

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestDependencies enforces DESIGN.md section 2: compute is a core that
// imports nothing else of this project (node wires it to the network and
// the ledger), and its packages carry a doc comment stating their policy.
func TestDependencies(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "boltqueue", "queuetest"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		documented := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			documented = documented || ast.Doc != nil
			for _, imp := range ast.Imports {
				p := strings.Trim(imp.Path.Value, `"`)
				if strings.HasPrefix(p, "cyclecash/") && !strings.HasPrefix(p, "cyclecash/compute") {
					t.Errorf("%s imports %s: compute must not depend on the rest of cyclecash", f, p)
				}
				if dir == "." && strings.HasPrefix(p, "cyclecash/") {
					t.Errorf("%s imports %s: package compute imports nothing of ours", f, p)
				}
			}
		}
		if !documented {
			t.Errorf("package %s has no doc comment", dir)
		}
	}
}
