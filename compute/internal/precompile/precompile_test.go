package precompile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain turns this test binary into the precompile tool when
// PRECOMPILE_CACHE is set: it compiles the files listed in PRECOMPILE_FILES
// (separated by the OS path list separator) and exits.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PRECOMPILE_CACHE"); dir != "" {
		if err := Run(dir, filepath.SplitList(os.Getenv("PRECOMPILE_FILES"))); err != nil {
			fmt.Fprintln(os.Stderr, "precompile:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunMissingFile(t *testing.T) {
	if err := Run(t.TempDir(), []string{filepath.Join(t.TempDir(), "none.wasm")}); err == nil {
		t.Fatal("missing file accepted")
	}
}
