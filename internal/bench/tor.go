package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// TorFigures are the fields of tor_baseline.sh's JSON line this table uses.
type TorFigures struct {
	BuildMS    float64 `json:"build_ms_median"`
	Throughput float64 `json:"throughput_mib_s"`
	Direct     float64 `json:"direct_mib_s"`
}

// FindTorScript finds tor_baseline.sh: $CYCLECASH_TOR_BASELINE, then
// shared/bench/tor_baseline.sh beside or above the working directory
// (../shared/bench from a checkout) and the executable. "" if none.
func FindTorScript() string {
	if p := os.Getenv("CYCLECASH_TOR_BASELINE"); p != "" {
		return p
	}
	var roots []string
	if wd, err := os.Getwd(); err == nil {
		roots = append(roots, wd)
	}
	if exe, err := os.Executable(); err == nil {
		roots = append(roots, filepath.Dir(exe))
	}
	for _, r := range roots {
		for d := r; ; d = filepath.Dir(d) {
			p := filepath.Join(d, "shared", "bench", "tor_baseline.sh")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return ""
}

// torCompare runs the Tor baseline and sets our build time and throughput
// beside Tor's, against DESIGN.md's goals (4× faster builds, 6× the
// throughput); it returns a reason instead when it cannot.
func torCompare(ctx context.Context, o Options, ours []Row) ([]Row, string) {
	switch {
	case o.Quick || o.Tiny:
		return nil, "stock Tor: not in --quick (its private network takes about 2 minutes to start); run 'cyclecash bench' without --quick"
	case o.TorScript == "":
		return nil, "stock Tor: tor_baseline.sh not found; give --tor-baseline FILE or set CYCLECASH_TOR_BASELINE"
	}
	if _, err := exec.LookPath("tor"); err != nil {
		return nil, "stock Tor: tor is not installed (apt-get install tor); Tor's figures skipped"
	}
	o.progress("bench: running %s (a private Tor network on 127.0.0.1, about 2 minutes)", o.TorScript)
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "bash", o.TorScript)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Sprintf("stock Tor: tor_baseline.sh failed: %s", lastLine(errb.String(), err))
	}
	var t TorFigures
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &t); err != nil || t.BuildMS <= 0 || t.Throughput <= 0 {
		return nil, fmt.Sprintf("stock Tor: tor_baseline.sh printed no figures (%v)", err)
	}
	var rows []Row
	for _, r := range ours {
		switch {
		case strings.HasPrefix(r.Figure, "3-hop circuit build"):
			rows = append(rows, row("3-hop circuit build vs stock Tor", "ms", r.Value, "stock Tor, same machine", t.BuildMS, "≤ 0.25 (4× faster than Tor)", 0.25, false))
		case strings.HasPrefix(r.Figure, "3-hop circuit throughput"):
			rows = append(rows, row("3-hop throughput vs stock Tor", "MiB/s", r.Value, "stock Tor, same machine", t.Throughput, "≥ 6× Tor's", 6, true))
		}
	}
	return rows, ""
}

func lastLine(s string, err error) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if l := lines[len(lines)-1]; l != "" {
		return l
	}
	return err.Error()
}
