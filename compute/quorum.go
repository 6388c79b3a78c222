package compute

// Result validation after BOINC: a task's result is accepted when Quorum
// distinct workers report the same digest (output, status, exit code and
// fuel) and, once any report disagrees, that digest also leads every other
// by ConflictLead votes; disagreement asks for more replicas, up to a cap.
// Crash reports are not votes; deadline reports are (a deadline a quorum
// confirms is billed). This file is pure: no clock, no randomness, no
// store.

// Report is one worker's answer for one task.
type Report struct {
	Worker string // worker or stealth session identity
	Status Status
	Digest Hash  // Result.Digest(manifest output kind)
	Fuel   int64 // Result.FuelUsed
	Output []byte
}

// Verdict is the state of a task's validation after some reports.
type Verdict struct {
	Accepted bool
	Failed   bool     // no quorum is possible within the replica cap
	Best     int      // index in reports of a canonical result (when accepted)
	Valid    []string // workers whose result agrees with the accepted one
	Invalid  []string // workers outvoted by the accepted one
	More     int      // further results needed (when neither accepted nor failed)
}

// Decide validates reports for a task needing quorum agreeing results and
// allowing at most maxResults deterministic results in all. Among equal
// groups the first reported wins, so Decide is deterministic.
func Decide(reports []Report, quorum, maxResults int) Verdict {
	votes, best, size := 0, -1, 0
	counts := map[Hash]int{}
	for i, r := range reports {
		if !r.Status.Votes() {
			continue
		}
		votes++
		counts[r.Digest]++
		if c := counts[r.Digest]; c > size {
			best, size = i, c
		}
	}
	need := quorum
	if len(counts) > 1 { // a conflict: someone lied; the winner must lead
		second := 0
		for d, c := range counts {
			if d != reports[best].Digest {
				second = max(second, c)
			}
		}
		need = max(quorum, second+ConflictLead)
	}
	if size >= need && quorum > 0 {
		return acceptVerdict(reports, best)
	}
	if votes >= maxResults {
		return Verdict{Failed: true}
	}
	return Verdict{More: min(need-size, maxResults-votes)}
}

// ConflictLead is the lead the accepted digest must have over any other
// once reports disagree: results are deterministic, so a disagreement
// proves a liar, and a lead of two keeps one extra colluder from tipping
// the vote.
const ConflictLead = 2

// Votes reports whether a result with status s is a vote: every
// deterministic status, and the deadline (whose digest carries no output).
func (s Status) Votes() bool { return s.Deterministic() || s == StatusDeadline }

func acceptVerdict(reports []Report, best int) Verdict {
	v := Verdict{Accepted: true, Best: best}
	for _, r := range reports {
		switch {
		case !r.Status.Votes():
		case r.Digest == reports[best].Digest:
			v.Valid = append(v.Valid, r.Worker)
		default:
			v.Invalid = append(v.Invalid, r.Worker)
		}
	}
	return v
}

// TrustThreshold is the number of consecutive valid results after which a
// worker may be trusted with an unreplicated task (BOINC's adaptive
// replication).
const TrustThreshold = 10

// NeedsReplica reports whether a task first given to a worker with
// consecutiveValid results in a row must still be replicated. Below the
// threshold always; above it with probability 1/consecutiveValid, so that
// even trusted workers are spot-checked. draw is uniform in [0, 1).
func NeedsReplica(consecutiveValid int, draw float64) bool {
	if consecutiveValid < TrustThreshold {
		return true
	}
	return draw < 1/float64(consecutiveValid)
}

// UnitsFor converts fuel to units, rounding up and capping at the budget.
func UnitsFor(fuel int64, budget uint64) uint64 {
	if fuel <= 0 {
		return 0
	}
	return min(uint64((fuel+FuelPerUnit-1)/FuelPerUnit), budget)
}
