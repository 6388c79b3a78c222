package bench

import "testing"

// TestRowGoal: a ratio is the value over the baseline, and a goal is met
// or not by that ratio, in the direction the goal states.
func TestRowGoal(t *testing.T) {
	for _, c := range []struct {
		v, base, goal float64
		atLeast, met  bool
	}{
		{3, 12, 0.25, false, true}, // a quarter of Tor's build time
		{4, 12, 0.25, false, false},
		{60, 10, 6, true, true}, // six times Tor's throughput
		{50, 10, 6, true, false},
	} {
		r := row("f", "u", c.v, "b", c.base, "g", c.goal, c.atLeast)
		if r.Ratio != c.v/c.base || r.GoalMet == nil || *r.GoalMet != c.met {
			t.Errorf("%+v: ratio %v met %v", c, r.Ratio, r.GoalMet)
		}
	}
	if r := row("f", "u", 1, "b", 0, "g", 1, true); r.Ratio != 0 || r.GoalMet != nil {
		t.Errorf("an unmeasured baseline gave ratio %v, met %v", r.Ratio, r.GoalMet)
	}
}

// TestFindTorScript: the environment variable wins; the script is found
// under shared/bench above the working directory.
func TestFindTorScript(t *testing.T) {
	t.Setenv("CYCLECASH_TOR_BASELINE", "/x/tor_baseline.sh")
	if got := FindTorScript(); got != "/x/tor_baseline.sh" {
		t.Fatalf("FindTorScript() = %q", got)
	}
}
