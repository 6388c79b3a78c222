package compute

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// childEnv switches the test binary into the child task runner (TestMain).
const childEnv = "CYCLECASH_COMPUTE_TEST_CHILD"

// shared is state built once per test binary run: the example modules
// compiled to wasm, and one sandbox whose compilation cache all tests share.
var shared struct {
	dir string

	buildOnce sync.Once
	buildErr  error
	buildOut  []byte

	boxOnce sync.Once
	box     *Sandbox
	boxErr  error

	meterMu sync.Mutex
	metered map[string][]byte
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := ChildMain(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "compute-test-")
	if err != nil {
		panic(err)
	}
	shared.dir = dir
	code := m.Run()
	if shared.box != nil {
		shared.box.Close(context.Background())
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// examplePackages maps example names to their packages under the module root.
var examplePackages = map[string]string{
	"primes": "./examples/primes", "fold": "./examples/fold",
	"loop": "./examples/malicious/loop", "membomb": "./examples/malicious/membomb",
	"hugeout": "./examples/malicious/hugeout",
}

// exampleWasm returns the named example built for wasip1. All examples are
// built by one go build, once per test binary run.
func exampleWasm(t testing.TB, name string) []byte {
	t.Helper()
	shared.buildOnce.Do(func() {
		args := []string{"build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(shared.dir, "wasm") + "/"}
		for _, p := range []string{"primes", "fold", "loop", "membomb", "hugeout"} {
			args = append(args, examplePackages[p])
		}
		shared.buildOut, shared.buildErr = goCommand(append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm"), args...)
		if shared.buildErr == nil {
			shared.buildOut, shared.buildErr = precompileExamples()
		}
	})
	if shared.buildErr != nil {
		t.Fatalf("building examples: %v\n%s", shared.buildErr, shared.buildOut)
	}
	b, err := os.ReadFile(filepath.Join(shared.dir, "wasm", filepath.Base(examplePackages[name])))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// precompileExamples fills the shared compilation cache with every example
// using a helper built without the race detector, under which wazero's
// compiler is about 50 times slower (see compute/internal/precompile).
func precompileExamples() ([]byte, error) {
	tool := filepath.Join(shared.dir, "precompile.test")
	if out, err := goCommand(os.Environ(), "test", "-c", "-o", tool, "./compute/internal/precompile"); err != nil {
		return out, err
	}
	var files []string
	for _, p := range examplePackages {
		files = append(files, filepath.Join(shared.dir, "wasm", filepath.Base(p)))
	}
	cmd := exec.Command(tool)
	cmd.Env = append(os.Environ(), "PRECOMPILE_CACHE="+filepath.Join(shared.dir, "cache"),
		"PRECOMPILE_FILES="+strings.Join(files, string(os.PathListSeparator)))
	return cmd.CombinedOutput()
}

func goCommand(env []string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = env
	return cmd.CombinedOutput()
}

// meteredExample returns the instrumented example, instrumented once.
func meteredExample(t testing.TB, name string) []byte {
	t.Helper()
	shared.meterMu.Lock()
	defer shared.meterMu.Unlock()
	if b, ok := shared.metered[name]; ok {
		return b
	}
	b, err := Instrument(exampleWasm(t, name))
	if err != nil {
		t.Fatalf("Instrument(%s): %v", name, err)
	}
	if shared.metered == nil {
		shared.metered = map[string][]byte{}
	}
	shared.metered[name] = b
	return b
}

// testSandbox returns the shared in-process sandbox.
func testSandbox(t testing.TB) *Sandbox {
	t.Helper()
	shared.boxOnce.Do(func() {
		shared.box, shared.boxErr = NewSandbox(context.Background(), SandboxConfig{
			CacheDir: filepath.Join(shared.dir, "cache"), MemoryPages: 1024, MaxOutput: 1 << 20,
		})
	})
	if shared.boxErr != nil {
		t.Fatal(shared.boxErr)
	}
	return shared.box
}

// fixture returns a hand-assembled module of wasmfixtures_test.go.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, ok := fixtures[name]
	if !ok {
		t.Fatalf("no fixture %q", name)
	}
	return b
}
