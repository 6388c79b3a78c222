package hs

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps keeps hs under the onion rule (DESIGN.md §2): sans-IO, silent,
// and a leaf: nothing of ours, no network, no files, no logging.
func TestDeps(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Doc == "" {
		t.Error("package hs has no doc comment")
	}
	forbidden := []string{"cyclecash/", "libp2p", "log", "net", "os", "math/rand", "time/tzdata"}
	for _, imp := range pkg.Imports {
		for _, f := range forbidden {
			if imp == strings.TrimSuffix(f, "/") || strings.HasPrefix(imp, f+"/") || strings.HasPrefix(imp, f) && strings.HasSuffix(f, "/") || strings.Contains(imp, "libp2p") {
				t.Errorf("hs imports %s: forbidden (sans-IO leaf)", imp)
			}
		}
	}
}
