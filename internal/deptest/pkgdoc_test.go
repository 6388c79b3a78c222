package deptest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs: every package states its purpose (and policy) in a doc
// comment of at least two sentences' worth.
func TestPackageDocs(t *testing.T) {
	root := moduleRoot(t)
	for dir := range packageImports(t, root) {
		if strings.HasPrefix(dir, "examples/") {
			continue // wasm programs: a main package with a usage comment suffices
		}
		if doc := packageDoc(t, filepath.Join(root, dir)); len(doc) < 80 {
			t.Errorf("%s: package doc comment missing or too short (%d chars)", dir, len(doc))
		}
	}
}

func packageDoc(t *testing.T, dir string) string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc != nil && len(f.Doc.Text()) > len(doc) {
			doc = f.Doc.Text()
		}
	}
	if doc == "" && onlyTests(entries) {
		return strings.Repeat("x", 80) // test-only directories need no package doc
	}
	return doc
}

func onlyTests(entries []os.DirEntry) bool {
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return false
		}
	}
	return true
}

func hasBuildTag(groups []*ast.CommentGroup, tag string) bool {
	for _, g := range groups {
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, tag) {
				return true
			}
		}
	}
	return false
}
