package compute

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// watCache holds the modules of testdata/wat, each built once per run.
var watCache sync.Map // name -> []byte

// watModule builds testdata/wat/<name>.wat with wabt's wat2wasm. Modules
// that are invalid on purpose are built with --no-check. Without wat2wasm
// the test is skipped, except under CI, where that is a failure.
func watModule(t testing.TB, name string) []byte {
	t.Helper()
	if b, ok := watCache.Load(name); ok {
		return b.([]byte)
	}
	tool, err := exec.LookPath("wat2wasm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wat2wasm (Debian wabt) is required under CI")
		}
		t.Skip("wat2wasm (Debian wabt) not installed")
	}
	out := filepath.Join(t.TempDir(), name+".wasm")
	cmd := exec.Command(tool, "--no-check", filepath.Join("testdata", "wat", name+".wat"), "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wat2wasm %s: %v\n%s", name, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	watCache.Store(name, b)
	return b
}
