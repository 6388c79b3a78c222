package compute

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The attacker here is one operator running k worker sessions (identities
// are free) among honest workers. It asks with two sessions back to back
// to hold both replicas of a task, and forges every result with a claimed
// fuel of 2^62.

type sybilSim struct {
	q        *Queue
	rng      *rand.Rand
	now      time.Time
	honest   []string
	sessions []string
	forge    bool
	twice    int // operator turns where both sessions got a task
	same     int // ... and it was the same task
}

func newSybilSim(t *testing.T, seed int64, honest, sybils, tasks, replication int) *sybilSim {
	t.Helper()
	s := &sybilSim{rng: rand.New(rand.NewPCG(uint64(seed), 99)), now: time.Unix(1_800_000_000, 0), forge: true}
	s.q = NewQueue(NewMemStore(), QueueConfig{Now: func() time.Time { return s.now },
		Rand: s.rng.Float64, LeaseGrace: time.Minute})
	for i := range honest {
		s.honest = append(s.honest, fmt.Sprint("h", i))
	}
	for i := range sybils {
		s.sessions = append(s.sessions, fmt.Sprint("s", i))
	}
	m := &Manifest{Version: ManifestVersion, Module: ModuleHash([]byte("m")), UnitsPerTask: 4,
		Replication: replication, TaskTimeoutMS: 10_000, DeadlineUnix: 1_900_000_000}
	for i := range tasks {
		m.Inputs = append(m.Inputs, fmt.Appendf(nil, "in %d", i))
	}
	if err := s.q.Submit("job", m); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *sybilSim) result(a *Assignment, operator bool) Result {
	if operator && s.forge {
		return Result{Status: StatusOK, Output: []byte("forged"), FuelUsed: 1 << 62}
	}
	return Result{Status: StatusOK, Output: append([]byte("ok:"), a.Input...), FuelUsed: 3 * FuelPerUnit}
}

func (s *sybilSim) ask(t *testing.T, w string, operator bool) *Assignment {
	a, err := s.q.Lease(w)
	if err != nil {
		t.Fatal(err)
	}
	if a != nil {
		if _, err := s.q.Complete(a.Lease, s.result(a, operator)); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// run lets the workers ask in random order until the job is over, or no
// one has been given anything for 300 asks (tasks re-opened after every
// worker held them wait for new workers, or the job's deadline).
func (s *sybilSim) run(t *testing.T) {
	t.Helper()
	n := len(s.honest) + len(s.sessions)
	idle := 0
	for step := 0; step < 200_000 && idle < 300; step++ {
		if step%64 == 0 {
			s.now = s.now.Add(time.Second)
			if _, err := s.q.Expire(); err != nil {
				t.Fatal(err)
			}
			if j, _ := s.q.Job("job"); j.State != JobRunning {
				return
			}
		}
		idle++
		if i := s.rng.IntN(n); i < len(s.honest) {
			if s.ask(t, s.honest[i], false) != nil {
				idle = 0
			}
			continue
		}
		if len(s.sessions) < 2 {
			continue
		}
		p := s.rng.Perm(len(s.sessions))
		a, b := s.ask(t, s.sessions[p[0]], true), s.ask(t, s.sessions[p[1]], true)
		if a != nil || b != nil {
			idle = 0
		}
		if a != nil && b != nil {
			s.twice++
			if a.Lease.Task == b.Lease.Task {
				s.same++
			}
		}
	}
	if j, _ := s.q.Job("job"); j.State == JobRunning && idle < 300 {
		t.Fatal("job did not finish")
	}
}

func (s *sybilSim) operator(w string) bool { return slices.Contains(s.sessions, w) }

// earned is what the operator's sessions are paid.
func (s *sybilSim) earned(t *testing.T) uint64 {
	tasks, _ := s.q.Tasks("job")
	units := uint64(0)
	for _, task := range tasks {
		for _, p := range Payouts(&task) {
			if s.operator(p.Worker) {
				units += p.Units
			}
		}
	}
	return units
}

// wilson is the 95% Wilson score interval of k successes in n trials.
func wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.96
	p, fn := float64(k)/float64(n), float64(n)
	c := (p + z*z/(2*fn)) / (1 + z*z/fn)
	h := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn)) / (1 + z*z/fn)
	return c - h, c + h
}

// TestSybilOperator: with 2 and with 5 sessions among 6 honest workers over
// 200 tasks, asking twice in a row never yields the same task; every task
// whose first two replicas the operator held (a forgery nobody else saw)
// is caught at least at the stated rate p·H/(H+k−2) (the spot-check floor
// times the chance that the check replica goes to an honest worker;
// re-checks after a catch only add to it); caught tasks are re-served or
// failed, never billed with the forgery; and the operator earns fewer
// units than its reports would have earned honestly (each would have been
// a valid replica paid its share of 3 units).
func TestSybilOperator(t *testing.T) {
	t.Parallel()
	tasks := 200
	if testing.Short() {
		tasks = 60
	}
	for _, k := range []int{2, 5} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			t.Parallel()
			sim := newSybilSim(t, int64(k), 6, k, tasks, 2)
			sim.run(t)
			if sim.same != 0 || sim.twice == 0 {
				t.Fatalf("asking twice got the same task %d of %d times", sim.same, sim.twice)
			}
			colluded, caught := sim.colluded(t)
			forged, fair := sim.earned(t), uint64(sim.reports(t))*3/2
			stated := MinSpotCheck * 6 / float64(6+k-2)
			lo, hi := wilson(caught, colluded)
			t.Logf("k=%d: %d fully colluded tasks, %d caught: %.3f [%.3f, %.3f] (stated >= %.3f); operator earned %d forging, ~%d honest",
				k, colluded, caught, float64(caught)/float64(max(colluded, 1)), lo, hi, stated, forged, fair)
			if colluded == 0 || hi < stated {
				t.Fatalf("catch rate %d/%d below the stated %.3f", caught, colluded, stated)
			}
			if forged >= fair {
				t.Fatalf("forging earned %d units, honest work ~%d", forged, fair)
			}
		})
	}
}

// reports counts the operator's reports over the job.
func (s *sybilSim) reports(t *testing.T) int {
	tasks, _ := s.q.Tasks("job")
	n := 0
	for _, task := range tasks {
		for _, w := range task.Tried {
			if s.operator(w) {
				n++
			}
		}
	}
	return n
}

// colluded counts the tasks whose first quorum of reports were all the
// operator's, and how many of those did not end accepted with the forgery.
func (s *sybilSim) colluded(t *testing.T) (colluded, caught int) {
	tasks, _ := s.q.Tasks("job")
	for _, task := range tasks {
		if len(task.Tried) < 2 || !s.operator(task.Tried[0]) || !s.operator(task.Tried[1]) {
			continue
		}
		colluded++
		if task.State != TaskAccepted || string(task.Output) != "forged" {
			caught++
			if task.State == TaskAccepted && slices.ContainsFunc(task.Valid, s.operator) {
				t.Fatalf("task %d: re-served but the operator is still paid: %v", task.Index, task.Valid)
			}
		}
	}
	return colluded, caught
}
