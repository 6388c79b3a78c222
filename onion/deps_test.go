package onion

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps enforces the package's place at the bottom of the dependency
// graph (DESIGN.md §2): onion imports nothing of ours, since overlay wires
// it to the network and onion must stay testable byte for byte; and no
// libp2p or logging, since it is sans-IO and silent.
func TestDeps(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Doc == "" {
		t.Error("package onion has no doc comment")
	}
	forbidden := map[string]string{
		"cyclecash/": "onion is a leaf: nothing of ours may be imported",
		"libp2p":     "only overlay, node and internal/testnet touch libp2p",
		"log":        "libraries do not log; onion returns errors instead",
		"net":        "sans-IO: no network",
		"os":         "sans-IO: no files or environment",
		"math/rand":  "randomness is injected as an io.Reader",
	}
	for _, imp := range pkg.Imports {
		for prefix, why := range forbidden {
			if imp == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(imp, prefix) || strings.Contains(imp, "libp2p") && prefix == "libp2p" {
				t.Errorf("onion imports %s: %s", imp, why)
			}
		}
	}
}
