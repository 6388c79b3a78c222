package socks

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps: the proxy takes a listener and a dial function; it must not
// reach into the node, the overlay or libp2p (DESIGN.md §2: services never
// import node, libp2p or each other).
func TestDeps(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Doc == "" {
		t.Error("package socks has no doc comment")
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "cyclecash/") || strings.Contains(imp, "libp2p") {
			t.Errorf("socks imports %s: forbidden", imp)
		}
	}
}
