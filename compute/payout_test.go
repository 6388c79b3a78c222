package compute

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPayoutsNeverPrintMoney: over whole jobs with replication 2 and 3
// (with cheaters, spot checks and conflicts), the units paid to workers
// per task never exceed the units consumed from the buyer for it, and
// their sum over the job equals JobRecord.Units exactly.
func TestPayoutsNeverPrintMoney(t *testing.T) {
	t.Parallel()
	for _, r := range []int{2, 3} {
		t.Run(fmt.Sprint("R=", r), func(t *testing.T) {
			sim := newSybilSim(t, int64(r), 6, 2, 60, r)
			sim.run(t)
			job, _ := sim.q.Job("job")
			tasks, _ := sim.q.Tasks("job")
			paid := uint64(0)
			for _, task := range tasks {
				sum := uint64(0)
				for _, p := range Payouts(&task) {
					sum += p.Units
				}
				if sum > task.Units {
					t.Fatalf("task %d: paid %d > charged %d", task.Index, sum, task.Units)
				}
				paid += sum
			}
			if paid != job.Units || job.Accepted == 0 {
				t.Fatalf("paid %d, buyer charged %d (accepted %d)", paid, job.Units, job.Accepted)
			}
		})
	}
}

// TestPayoutsProperty: for any units and valid set, shares sum to the
// units, differ by at most one, and go only to valid workers.
func TestPayoutsProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		task := &TaskRecord{State: TaskAccepted, Units: rng.Uint64N(1 << 40)}
		for i := range 1 + rng.IntN(7) {
			task.Valid = append(task.Valid, fmt.Sprint("w", i))
		}
		sum, lo, hi := uint64(0), ^uint64(0), uint64(0)
		for _, p := range Payouts(task) {
			sum += p.Units
			lo, hi = min(lo, p.Units), max(hi, p.Units)
		}
		if sum != task.Units || len(Payouts(task)) == len(task.Valid) && hi-lo > 1 {
			t.Fatalf("units %d over %d workers: sum %d, spread %d..%d", task.Units, len(task.Valid), sum, lo, hi)
		}
	}
	if Payouts(&TaskRecord{State: TaskFailed, Units: 5, Valid: []string{"a"}}) != nil {
		t.Fatal("a failed task pays")
	}
}

// TestWorkerIDFromKeyAlone: the identity depends on the key only.
func TestWorkerIDFromKeyAlone(t *testing.T) {
	t.Parallel()
	a, b := WorkerID([]byte("key one")), WorkerID([]byte("key two"))
	if a == b || a != WorkerID([]byte("key one")) || len(a) != 34 {
		t.Fatalf("ids %q %q", a, b)
	}
}

// TestPayoutRemainderNotToFastest: the odd unit of a task does not always
// go to whoever reported first, or a slower (stealth) worker on 1-unit
// tasks would never earn; it still sums to the task's units, and the same
// task always pays the same way.
func TestPayoutRemainderNotToFastest(t *testing.T) {
	t.Parallel()
	second := 0
	for i := range 400 {
		task := &TaskRecord{Job: "job", Index: i, State: TaskAccepted, Units: 1, Valid: []string{"fast", "slow"}}
		p := Payouts(task)
		if len(p) != 1 || p[0].Units != 1 {
			t.Fatalf("task %d: payouts %v, want one unit in all", i, p)
		}
		if again := Payouts(task); again[0] != p[0] {
			t.Fatalf("task %d: paid %v, then %v", i, p, again)
		}
		if p[0].Worker == "slow" {
			second++
		}
	}
	if second < 150 || second > 250 {
		t.Fatalf("the second reporter got the odd unit of %d of 400 tasks, want about half", second)
	}
}
