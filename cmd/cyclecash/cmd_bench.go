package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"cyclecash/internal/bench"
)

// cmdBench runs the benchmark suite (internal/bench) and prints one
// table: each figure beside its baseline measured in the same run, the
// ratio of the two, and the design's goal.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	quick := fs.Bool("quick", false, "small samples and no stock Tor: under a minute")
	tiny := fs.Bool("tiny", false, "the smallest samples that measure anything (for tests)")
	asJSON := fs.Bool("json", false, "print the table as JSON")
	tor := fs.String("tor-baseline", "", "stock Tor's `tor_baseline.sh` (default $CYCLECASH_TOR_BASELINE, else ../shared/bench/tor_baseline.sh found upwards from here)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tor == "" {
		*tor = bench.FindTorScript()
	} else if _, err := os.Stat(*tor); err != nil {
		// Said before minutes of measuring, not after them.
		return fmt.Errorf("bench: --tor-baseline: %w", err)
	}
	dir, err := os.MkdirTemp("", "cyclecash-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	rep, err := bench.Run(ctx, bench.Options{Quick: *quick, Tiny: *tiny, Dir: dir, TorScript: *tor, Progress: stderr})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.Print(stdout)
	return nil
}
