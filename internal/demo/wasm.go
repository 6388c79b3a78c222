package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoModule reports that no sample module was given and none can be
// built here.
var ErrNoModule = errors.New("demo: no --wasm FILE given, and no cyclecash source tree with a go tool here to build examples/primes")

// SourceTree finds the cyclecash checkout containing dir (its go.mod
// names module cyclecash and it has examples/primes).
func SourceTree(dir string) (string, bool) {
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(mod, []byte("module cyclecash\n")) {
			_, err := os.Stat(filepath.Join(dir, "examples", "primes"))
			return dir, err == nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// BuildPrimes builds examples/primes for wasip1 with the go tool from the
// source tree around the working directory, into out.
func BuildPrimes(ctx context.Context, out string) ([]byte, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, ErrNoModule
	}
	root, ok := SourceTree(wd)
	goTool, err := exec.LookPath("go")
	if !ok || err != nil {
		return nil, ErrNoModule
	}
	cmd := exec.CommandContext(ctx, goTool, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./examples/primes")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("demo: building examples/primes: %w: %s", err, bytes.TrimSpace(msg))
	}
	return os.ReadFile(out)
}
