package compute

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// The attacker here farms trust: 12 honest results in a row, then forged
// results on the tasks adaptive replication no longer replicates.

// farm sets up a queue where farmer has a streak of 12 and submits a job of
// n tasks.
func farm(t *testing.T, rng *rand.Rand, n int) *Queue {
	t.Helper()
	store := NewMemStore()
	if err := store.Update(func(tx Tx) error {
		return putRecord(tx, TableWorkers, "farmer", &WorkerRecord{ID: "farmer", ConsecutiveValid: 12, Valid: 12})
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	q := NewQueue(store, QueueConfig{Now: func() time.Time { return now }, Rand: rng.Float64})
	m := &Manifest{Version: ManifestVersion, Module: ModuleHash([]byte("m")), UnitsPerTask: 4,
		Replication: 2, TaskTimeoutMS: 10_000, DeadlineUnix: 1_900_000_000}
	for i := range n {
		m.Inputs = append(m.Inputs, fmt.Appendf(nil, "in %d", i))
	}
	if err := q.Submit("job", m); err != nil {
		t.Fatal(err)
	}
	return q
}

// serveHonest lets honest workers ask until nobody gets anything.
func serveHonest(t *testing.T, q *Queue) {
	t.Helper()
	for idle := 0; idle < 8; {
		idle++
		for _, w := range []string{"h1", "h2", "h3", "h4"} {
			a, err := q.Lease(w)
			if err != nil {
				t.Fatal(err)
			}
			if a != nil {
				idle = 0
				q.Complete(a.Lease, Result{Status: StatusOK, Output: a.Input, FuelUsed: FuelPerUnit})
			}
		}
	}
}

func forgeOnce(t *testing.T, q *Queue) bool {
	a, err := q.Lease("farmer")
	if err != nil || a == nil {
		return false
	}
	q.Complete(a.Lease, Result{Status: StatusOK, Output: []byte("forged"), FuelUsed: FuelPerUnit})
	return true
}

// TestTrustFarmingCaught: the first forged result of a trusted worker is
// checked at least at the spot-check floor (measured over 300 farms, 95%
// Wilson interval), and of 50 forged results in a row few are accepted:
// once caught the streak is gone, and unreplicated acceptances never
// extended it.
func TestTrustFarmingCaught(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	trials, caught := 300, 0
	for range trials {
		q := farm(t, rng, 1)
		forgeOnce(t, q)
		serveHonest(t, q)
		tasks, _ := q.Tasks("job")
		if string(tasks[0].Output) != "forged" {
			caught++
		}
		if w, _ := q.Worker("farmer"); w.ConsecutiveValid > 12 {
			t.Fatalf("an unreplicated acceptance extended the streak: %+v", w)
		}
	}
	lo, hi := wilson(caught, trials)
	t.Logf("first forged result caught %d/%d: [%.3f, %.3f], floor %.2f", caught, trials, lo, hi, MinSpotCheck)
	if lo < MinSpotCheck {
		t.Fatalf("caught %d/%d, interval [%.3f, %.3f] reaches below the floor %.2f", caught, trials, lo, hi, MinSpotCheck)
	}
	q := farm(t, rng, 50)
	for range 50 {
		forgeOnce(t, q)
		serveHonest(t, q)
	}
	tasks, _ := q.Tasks("job")
	accepted := 0
	for _, task := range tasks {
		if task.State == TaskAccepted && string(task.Output) == "forged" {
			accepted++
		}
	}
	if accepted > 25 {
		t.Fatalf("%d of 50 forged results accepted", accepted)
	}
	t.Logf("50 forged in a row: %d accepted", accepted)
}
