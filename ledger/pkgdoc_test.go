package ledger_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPackageDocs requires a package comment, stating purpose and policy,
// in every ledger package.
func TestPackageDocs(t *testing.T) {
	dirs, _ := filepath.Glob("*")
	dirs = append(dirs, ".")
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() || dir == "testdata" {
			continue
		}
		for name, files := range parseDir(t, dir, parser.ParseComments|parser.PackageClauseOnly) {
			if strings.HasSuffix(name, "_test") {
				continue
			}
			doc := ""
			for _, f := range files {
				if f.Doc != nil {
					doc += f.Doc.Text()
				}
			}
			if !strings.Contains(doc, "Policy") {
				t.Errorf("package %s in %s lacks a doc comment with a Policy paragraph", name, dir)
			}
		}
	}
}

// TestCoreImports keeps the core sans-IO and independent (DESIGN.md §2):
// package ledger imports nothing else of cyclecash, and no network, file or
// logging package.
func TestCoreImports(t *testing.T) {
	forbidden := map[string]string{
		"net":      "the core never dials",
		"net/http": "the core never dials",
		"os":       "the core touches no file; keyfile and the stores do",
		"log":      "the core never logs",
		"log/slog": "the core never logs",
	}
	for name, files := range parseDir(t, ".", parser.ImportsOnly) {
		if name != "ledger" {
			continue
		}
		for file, f := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if strings.HasPrefix(path, "cyclecash/") {
					t.Errorf("%s imports %s: the core imports nothing else of ours", file, path)
				}
				if why, bad := forbidden[path]; bad {
					t.Errorf("%s imports %s: %s", file, path, why)
				}
			}
		}
	}
}

// parseDir parses the Go files of dir, grouped by package name and keyed
// by file path (go/parser.ParseDir is deprecated).
func parseDir(t *testing.T, dir string, mode parser.Mode) map[string]map[string]*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset, out := token.NewFileSet(), map[string]map[string]*ast.File{}
	for _, path := range paths {
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			t.Fatal(err)
		}
		if out[f.Name.Name] == nil {
			out[f.Name.Name] = map[string]*ast.File{}
		}
		out[f.Name.Name][path] = f
	}
	return out
}
