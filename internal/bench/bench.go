// Package bench measures cyclecash's core figures for `cyclecash bench`,
// each beside a baseline measured in the same run on the same machine:
// one onion layer beside the Adiantum layer the project started with, a
// 3-hop circuit's build time and throughput beside a direct stream between
// the same two nodes, a durable ledger swap beside its signature work, and
// stock Tor's build time and throughput (tor_baseline.sh) when tor is
// installed. Every ratio is computed here from the two measured numbers.
package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// Row is one figure of the table.
type Row struct {
	Figure   string  `json:"figure"`
	Unit     string  `json:"unit"`
	Value    float64 `json:"value"`
	Baseline string  `json:"baseline"`       // what the baseline is
	Base     float64 `json:"baseline_value"` // measured in this run
	Ratio    float64 `json:"ratio"`          // Value / Base
	Goal     string  `json:"goal"`           // "" when the design sets none
	GoalMet  *bool   `json:"goal_met,omitempty"`
}

// Report is the whole table and what was skipped, and why.
type Report struct {
	Rows    []Row         `json:"rows"`
	Skipped []string      `json:"skipped,omitempty"`
	Quick   bool          `json:"quick"`
	Took    time.Duration `json:"took_ns"`
}

// Options choose the suite's size.
type Options struct {
	Quick     bool      // smaller samples: under a minute on 2 cores
	Tiny      bool      // tests only: the smallest samples that measure anything
	Dir       string    // scratch directory for the test network and stores (required)
	TorScript string    // tor_baseline.sh; "" = skip stock Tor
	Progress  io.Writer // one line per figure; nil = none
}

// row builds a Row and its ratio from two measured numbers; goal, when
// set, says whether the ratio must be at least (atLeast) or at most goalR.
func row(fig, unit string, v float64, baseline string, base float64, goal string, goalR float64, atLeast bool) Row {
	r := Row{Figure: fig, Unit: unit, Value: v, Baseline: baseline, Base: base, Goal: goal}
	if base > 0 {
		r.Ratio = v / base
	}
	if goal != "" && base > 0 {
		met := r.Ratio <= goalR
		if atLeast {
			met = r.Ratio >= goalR
		}
		r.GoalMet = &met
	}
	return r
}

// Run measures every figure; a figure that cannot be measured is an error,
// except stock Tor's, which is skipped with its reason.
func Run(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	rep := &Report{Quick: o.Quick || o.Tiny}
	steps := []struct {
		name string
		run  func(context.Context, Options) ([]Row, error)
	}{
		{"onion layer crypto", layerRows},
		{"ledger swap", swapRows},
		{"circuits on a 5-node test network", netRows},
	}
	for _, s := range steps {
		o.progress("bench: measuring %s", s.name)
		rows, err := s.run(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", s.name, err)
		}
		rep.Rows = append(rep.Rows, rows...)
	}
	torRows, skip := torCompare(ctx, o, rep.Rows)
	rep.Rows = append(rep.Rows, torRows...)
	if skip != "" {
		rep.Skipped = append(rep.Skipped, skip)
		o.progress("bench: %s", skip)
	}
	rep.Took = time.Since(start)
	return rep, nil
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// Print writes the table.
func (r *Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tbaseline (same run)\tratio\tgoal")
	for _, x := range r.Rows {
		goal := x.Goal
		if x.GoalMet != nil {
			goal += map[bool]string{true: " (met)", false: " (NOT met)"}[*x.GoalMet]
		}
		if goal == "" {
			goal = "-"
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s %s\t%s\t%s\n", x.Figure, num(x.Value), x.Unit, x.Baseline+": "+num(x.Base), x.Unit, num(x.Ratio)+"×", goal)
	}
	tw.Flush()
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
	fmt.Fprintf(w, "took %s%s\n", r.Took.Round(time.Millisecond), map[bool]string{true: " (--quick: small samples)"}[r.Quick])
}

// num prints 3 significant digits.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
