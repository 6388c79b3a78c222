package main

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"cyclecash/internal/bench"
)

// TestBenchJSON: `bench --tiny --json` prints a table whose every row has
// a measured value and baseline and the ratio of exactly those two, and
// says why stock Tor was left out.
func TestBenchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 5-node network")
	}
	var out, errb strings.Builder
	if code := Main(context.Background(), []string{"bench", "--json", "--tiny"}, &out, &errb); code != 0 {
		t.Fatalf("bench exited %d: %s", code, errb.String())
	}
	var rep bench.Report
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("bench --json printed no report: %v\n%s", err, out.String())
	}
	want := []string{"forward cell", "swap", "circuit build", "circuit throughput"}
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rep.Rows), len(want), rep.Rows)
	}
	for i, r := range rep.Rows {
		if !strings.Contains(r.Figure, want[i]) || r.Unit == "" || r.Baseline == "" {
			t.Errorf("row %d %+v: want figure %q with a unit and a named baseline", i, r, want[i])
		}
		if r.Value <= 0 || r.Base <= 0 || math.IsInf(r.Value, 0) || math.IsInf(r.Base, 0) {
			t.Errorf("row %q: value %v, baseline %v: both must be measured", r.Figure, r.Value, r.Base)
		}
		if math.Abs(r.Ratio-r.Value/r.Base) > 1e-9*r.Ratio {
			t.Errorf("row %q: ratio %v is not value/baseline = %v", r.Figure, r.Ratio, r.Value/r.Base)
		}
		if (r.Goal == "") != (r.GoalMet == nil) {
			t.Errorf("row %q: goal %q but goal_met %v", r.Figure, r.Goal, r.GoalMet)
		}
	}
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "stock Tor") || !rep.Quick {
		t.Errorf("skipped %q, quick %v: want the stock Tor line in a quick run", rep.Skipped, rep.Quick)
	}
	if !strings.Contains(errb.String(), "bench: measuring") {
		t.Errorf("no progress on stderr: %q", errb.String())
	}
}
