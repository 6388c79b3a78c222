package ledger_test

import (
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
		pkgs, err := parser.ParseDir(token.NewFileSet(), dir, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range pkgs {
			if strings.HasSuffix(name, "_test") {
				continue
			}
			doc := ""
			for _, f := range p.Files {
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
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range pkgs {
		if name != "ledger" {
			continue
		}
		for file, f := range p.Files {
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
