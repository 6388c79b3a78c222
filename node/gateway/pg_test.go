package gateway

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/ledger/pgstore"

	"cyclecash/internal/pgutil/pgtest"
)

func TestQueueSchema(t *testing.T) {
	t.Parallel()
	for dsn, want := range map[string]string{
		"postgres://u@h/db":                          "compute",
		"postgres://u@h/db?search_path=gw1":          "gw1_compute",
		"host=h user=u search_path=public":           "compute",
		"host=h user=u search_path='\"gw2\",public'": "gw2_compute",
	} {
		if got := queueSchema(dsn); got != want {
			t.Errorf("queueSchema(%q) = %q, want %q", dsn, got, want)
		}
	}
}

// pgTestDSN returns a DSN whose search_path is a fresh schema of the test
// database; it and the queue's schema beside it are dropped after the test.
func pgTestDSN(t *testing.T) string {
	dsn, schema := pgtest.Schema(t, "nodetest")
	return pgtest.SearchPath(dsn, schema)
}

// TestGatewaysSharePostgres: two gateways whose ledger is one PostgreSQL
// database keep one queue there. Workers lease and report through either
// gateway at once while both sweep: every task is accepted with two
// distinct workers, every valid replica is credited its share exactly once, the
// capacity meter counts each task once, and the buyer is charged once,
// its change recovered identically by both.
func TestGatewaysSharePostgres(t *testing.T) {
	t.Parallel()
	dsn := pgTestDSN(t)
	ctx := context.Background()
	var rigs []*crashRig
	for range 2 {
		ls, err := pgstore.Open(ctx, dsn, pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ls.Close() })
		rigs = append(rigs, newRig(t, Config{DataDir: t.TempDir(), Postgres: dsn}, ls))
	}
	const tasks, workers = 10, 6
	pay := rigs[0].tokens(ctx, 200)
	rigs[0].submit(ctx, "job1", pay, tasks)
	stop := make(chan struct{})
	var sweeps sync.WaitGroup
	for _, r := range rigs {
		sweeps.Add(1)
		go func() {
			defer sweeps.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				r.g.sweep(ctx)
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); workAt(t, ctx, rigs, fmt.Sprintf("o-w%d", w), w) }()
	}
	wg.Wait()
	close(stop)
	sweeps.Wait()
	for _, r := range rigs {
		r.g.sweep(ctx)
	}
	checkShared(t, ctx, rigs, pay, tasks, workers)
}

// workAt is one worker alternating between gateways until neither has a
// task for it; each accepted task is paid by the gateway that accepted it.
func workAt(t *testing.T, ctx context.Context, rigs []*crashRig, id string, w int) {
	for i, idle := w, 0; idle < len(rigs); i++ {
		g := rigs[i%len(rigs)].g
		a, err := g.queue.Lease(id)
		if err != nil {
			t.Error(err)
			return
		}
		if a == nil {
			idle++
			time.Sleep(2 * time.Millisecond)
			continue
		}
		idle = 0
		st, err := g.queue.Complete(a.Lease, compute.Result{Status: compute.StatusOK, Output: a.Input, FuelUsed: crashFuel})
		if err == nil && st == compute.TaskAccepted {
			err = g.payTask(ctx, a.Lease.Job, a.Lease.Task)
		}
		if err != nil {
			t.Error(err)
		}
	}
}

func checkShared(t *testing.T, ctx context.Context, rigs []*crashRig, pay string, tasks, workers int) {
	t.Helper()
	r := rigs[1]
	recs, err := r.g.queue.Tasks("job1")
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.State != compute.TaskAccepted || len(rec.Valid) != 2 || rec.Valid[0] == rec.Valid[1] {
			t.Errorf("task %d: state %v, valid %v", rec.Index, rec.State, rec.Valid)
		}
	}
	var credit uint64
	for w := range workers {
		credit += r.account(fmt.Sprintf("o-w%d", w)).Credit
	}
	if want := uint64(tasks * 4); credit != want {
		t.Errorf("workers credited %d units, want %d (each task's units shared, once)", credit, want)
	}
	measured := meterTotal(t, r.g)
	if measured != uint64(tasks*4) {
		t.Errorf("capacity meter counted %d units, want %d (each task once)", measured, tasks*4)
	}
	m0, m1 := rigs[0].meta("job1"), r.meta("job1")
	if !m1.Settled || !m1.PaidOut || m0.Change != m1.Change {
		t.Fatalf("settlement %+v", m1)
	}
	if got := r.proofStates(ctx, pay); got[ledger.Spent] != 200 {
		t.Errorf("payment %v, want 200 SPENT", got)
	}
	r.spend(ctx, m1.Change, 200-uint64(tasks*4))
}
