package compute

import "testing"

func rep(worker string, digest byte, st Status) Report {
	return Report{Worker: worker, Status: st, Digest: Hash{digest}}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		reports  []Report
		quorum   int
		accepted bool
		failed   bool
		more     int
		valid    int
		invalid  []string
	}{
		{"none yet", nil, 2, false, false, 2, 0, nil},
		{"one", []Report{rep("a", 1, StatusOK)}, 2, false, false, 1, 0, nil},
		{"agree", []Report{rep("a", 1, StatusOK), rep("b", 1, StatusOK)}, 2, true, false, 0, 2, nil},
		// Once reports disagree, the winner needs a lead of ConflictLead.
		{"disagree", []Report{rep("a", 1, StatusOK), rep("b", 2, StatusOK)}, 2, false, false, 2, 0, nil},
		{"cheater not yet outvoted", []Report{rep("a", 1, StatusOK), rep("x", 2, StatusOK), rep("b", 1, StatusOK)}, 2, false, false, 1, 0, nil},
		{"cheater outvoted", []Report{rep("a", 1, StatusOK), rep("x", 2, StatusOK), rep("b", 1, StatusOK), rep("c", 1, StatusOK)}, 2, true, false, 0, 3, []string{"x"}},
		{"crash is no vote", []Report{rep("a", 1, StatusOK), rep("b", 9, StatusCrashed)}, 2, false, false, 1, 0, nil},
		{"deadline confirmed", []Report{rep("a", 9, StatusDeadline), rep("b", 9, StatusDeadline)}, 2, true, false, 0, 2, nil},
		{"agreed failure accepted", []Report{rep("a", 1, StatusOutOfFuel), rep("b", 1, StatusOutOfFuel)}, 2, true, false, 0, 2, nil},
		{"trusted single", []Report{rep("a", 1, StatusOK)}, 1, true, false, 0, 1, nil},
		{"no consensus", []Report{rep("a", 1, StatusOK), rep("b", 2, StatusOK), rep("c", 3, StatusOK), rep("d", 4, StatusOK)}, 2, false, true, 0, 0, nil},
		{"two colluders do not tip a conflict", []Report{rep("a", 1, StatusOK), rep("x", 2, StatusOK), rep("y", 2, StatusOK)}, 2, false, false, 1, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := Decide(tt.reports, tt.quorum, 4)
			if v.Accepted != tt.accepted || v.Failed != tt.failed || v.More != tt.more || len(v.Valid) != tt.valid {
				t.Fatalf("verdict %+v", v)
			}
			if len(v.Invalid) != len(tt.invalid) || len(tt.invalid) > 0 && v.Invalid[0] != tt.invalid[0] {
				t.Fatalf("invalid = %v, want %v", v.Invalid, tt.invalid)
			}
		})
	}
}

func TestNeedsReplica(t *testing.T) {
	t.Parallel()
	if !NeedsReplica(9, 0.99) {
		t.Error("worker below threshold trusted")
	}
	if NeedsReplica(20, 0.5) || !NeedsReplica(20, 0.01) {
		t.Error("trusted worker: want replica only when draw < 1/20")
	}
	if UnitsFor(1, 10) != 1 || UnitsFor(FuelPerUnit, 10) != 1 || UnitsFor(FuelPerUnit+1, 10) != 2 || UnitsFor(1e15, 10) != 10 {
		t.Error("UnitsFor rounding")
	}
}
