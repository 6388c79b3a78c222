package compute

import "testing"

// TestSelfDealingOperatorLoses: the attacker is an operator that buys a
// job and works on it with k sessions of its own among 6 honest workers,
// hoping to be paid more than it paid (the old code paid every agreeing
// replica the task's units, so a buyer with two sessions paid 20 and was
// paid 40). Over 200 tasks, with 2 and with 5 sessions, what its sessions
// earn is less than what the job charged it: payouts never exceed the
// units consumed, and honest workers take their shares.
func TestSelfDealingOperatorLoses(t *testing.T) {
	for _, k := range []int{2, 5} {
		s := newSybilSim(t, int64(40+k), 6, k, 200, 2)
		s.forge = false // it does the work: the gain it wants is from being paid twice
		s.run(t)
		job, err := s.q.Job("job")
		if err != nil {
			t.Fatal(err)
		}
		earned := s.earned(t)
		var paidAll uint64
		tasks, _ := s.q.Tasks("job")
		for i := range tasks {
			for _, p := range Payouts(&tasks[i]) {
				paidAll += p.Units
			}
		}
		if job.Units == 0 || paidAll > job.Units {
			t.Fatalf("k=%d: workers paid %d for a job charged %d", k, paidAll, job.Units)
		}
		if earned >= job.Units {
			t.Fatalf("k=%d: the operator paid %d and its sessions earned %d", k, job.Units, earned)
		}
		t.Logf("k=%d: charged %d, operator's sessions earned %d (net %d)", k, job.Units, earned, int64(earned)-int64(job.Units))
	}
}
