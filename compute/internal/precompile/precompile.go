// Package precompile fills a compute compilation cache with instrumented
// modules. The compute tests use it from a helper built without the race
// detector (see precompile_test.go): wazero's compiler runs about 50 times
// slower under -race, while loading from the cache does not.
//
// The helper is a test binary on purpose: wazero names its cache entries
// after its own version as read from the binary's build information, which
// test binaries lack, so only a test binary writes entries that the race
// test binary (and its child processes) will read.
package precompile

import (
	"context"
	"fmt"
	"os"

	"cyclecash/compute"
)

// Run instruments each module file and compiles it into the cache at dir.
func Run(dir string, files []string) error {
	ctx := context.Background()
	box, err := compute.NewSandbox(ctx, compute.SandboxConfig{CacheDir: dir})
	if err != nil {
		return err
	}
	defer box.Close(ctx)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if b, err = compute.Instrument(b); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := box.Precompile(ctx, b); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}
