package pgqueue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/compute/pgqueue"
	"cyclecash/compute/queuetest"

	"cyclecash/internal/pgutil/pgtest"
)

// testSchema returns the DSN and a fresh schema dropped after the test.
func testSchema(t testing.TB) (string, string) { return pgtest.Schema(t, "queuetest") }

func open(t testing.TB, dsn, schema string) *pgqueue.Store {
	st, err := pgqueue.Open(context.Background(), dsn, pgqueue.Options{Schema: schema, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) compute.Store {
		dsn, schema := testSchema(t)
		return open(t, dsn, schema)
	})
}

// TestReopen: a second Open of a migrated schema migrates nothing and
// sees the first store's records.
func TestReopen(t *testing.T) {
	dsn, schema := testSchema(t)
	a := open(t, dsn, schema)
	if err := a.Update(func(tx compute.Tx) error { return tx.Put("t", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	b := open(t, dsn, schema)
	var got []byte
	if err := b.View(func(tx compute.Tx) (err error) { got, err = tx.Get("t", "k"); return err }); err != nil || string(got) != "v" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// updateOnly hides Claim, so the queue leases with plain SERIALIZABLE
// Updates (lease numbers still from the sequence): the baseline SKIP
// LOCKED is measured against.
type updateOnly struct {
	compute.Store
	compute.Sequencer
}

// TestConcurrentLeases: two gateways (two stores, two queues) on one
// database lease concurrently to many workers. No replica is handed out
// twice (a task never has more leases than its replication), no worker
// holds two replicas of one task, and every replica is handed out.
func TestConcurrentLeases(t *testing.T) {
	const tasks, replication, workers = 40, 2, 16
	for _, mode := range []string{"claim", "update"} {
		t.Run(mode, func(t *testing.T) {
			dsn, schema := testSchema(t) // a schema each: no job left over from the other mode
			stores := []*pgqueue.Store{open(t, dsn, schema), open(t, dsn, schema)}
			var queues []*compute.Queue
			for _, s := range stores {
				var st compute.Store = s
				if mode == "update" {
					st = updateOnly{s, s}
				}
				queues = append(queues, compute.NewQueue(st, compute.QueueConfig{}))
			}
			job := "job-" + mode
			if err := queues[0].Submit(job, manifest(tasks, replication)); err != nil {
				t.Fatal(err)
			}
			got, elapsed := leaseAll(t, queues, workers)
			checkLeases(t, queues[1], job, got, tasks, replication)
			t.Logf("%s: %d leases by %d workers over 2 gateways in %v (%.0f leases/s)",
				mode, len(got), workers, elapsed.Round(time.Millisecond), float64(len(got))/elapsed.Seconds())
		})
	}
}

// leaseAll runs workers concurrently, alternating gateways, each leasing
// until both have nothing for it.
func leaseAll(t *testing.T, queues []*compute.Queue, workers int) ([]compute.Lease, time.Duration) {
	var mu sync.Mutex
	var got []compute.Lease
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, idle := 0, 0; idle < len(queues); i++ {
				a, err := queues[(w+i)%len(queues)].Lease(fmt.Sprintf("w%02d", w))
				if err != nil {
					t.Error(err)
					return
				}
				if a == nil {
					idle++
					continue
				}
				idle = 0
				mu.Lock()
				got = append(got, a.Lease)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return got, time.Since(start)
}

func checkLeases(t *testing.T, q *compute.Queue, job string, got []compute.Lease, tasks, replication int) {
	t.Helper()
	per := map[int]map[string]bool{}
	for _, l := range got {
		if per[l.Task] == nil {
			per[l.Task] = map[string]bool{}
		}
		if per[l.Task][l.Worker] {
			t.Errorf("task %d: two replicas to %s", l.Task, l.Worker)
		}
		per[l.Task][l.Worker] = true
	}
	for i := range tasks {
		if len(per[i]) != replication {
			t.Errorf("task %d handed out %d times, want %d", i, len(per[i]), replication)
		}
	}
	recs, err := q.Tasks(job)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if len(r.Leases) != replication || len(r.Tried) != replication {
			t.Errorf("task %d stored %d leases, %d tried", r.Index, len(r.Leases), len(r.Tried))
		}
	}
}

func manifest(tasks, replication int) *compute.Manifest {
	m := &compute.Manifest{Version: compute.ManifestVersion, Module: compute.ModuleHash([]byte("m")),
		UnitsPerTask: 5, Replication: replication, TaskTimeoutMS: 600_000, DeadlineUnix: time.Now().Add(time.Hour).Unix()}
	for i := range tasks {
		m.Inputs = append(m.Inputs, fmt.Appendf(nil, "input %d", i))
	}
	return m
}

// TestLeaseWaitsForBusyTask: while another transaction holds the only task
// that still wants a replica (a lease on the other gateway, mid-way), a
// lease does not report that there is no work: it tries again once the
// row is free and takes the replica. Scanning with SKIP LOCKED reported
// none, so workers polling at that moment went idle with work left
// (TestConcurrentLeases/claim, seen under CI load).
func TestLeaseWaitsForBusyTask(t *testing.T) {
	dsn, schema := testSchema(t)
	a := open(t, dsn, schema)
	release, done := make(chan struct{}), make(chan error, 1)
	b := &releaseAfterClaim{Store: open(t, dsn, schema), release: release}
	q := compute.NewQueue(b, compute.QueueConfig{})
	if err := compute.NewQueue(a, compute.QueueConfig{}).Submit("j", manifest(1, 2)); err != nil {
		t.Fatal(err)
	}
	holding := make(chan struct{})
	go func() {
		done <- a.Claim(compute.TableTasks, func(tx compute.Tx) error {
			if v, err := tx.Get(compute.TableTasks, "j/00000000"); err != nil || v == nil { // Get holds the row
				return fmt.Errorf("hold the task: %q, %v", v, err)
			}
			close(holding)
			<-release
			return nil
		})
	}()
	select {
	case <-holding:
	case err := <-done:
		t.Fatal(err)
	}
	l, err := q.Lease("w1") // its first transaction runs while the row is held
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b.claims < 2 {
		t.Errorf("lease ran %d transactions, want a retry after the busy one", b.claims)
	}
	if l == nil || l.Lease.Task != 0 {
		t.Fatalf("lease while the task was held elsewhere: %+v, want task 0", l)
	}
}

// releaseAfterClaim ends the holder's transaction (closes release) once
// the first Claim through it has returned.
type releaseAfterClaim struct {
	*pgqueue.Store
	release chan struct{}
	claims  int
}

func (r *releaseAfterClaim) Claim(table string, fn func(compute.Tx) error) error {
	err := r.Store.Claim(table, fn)
	if r.claims++; r.claims == 1 {
		close(r.release)
	}
	return err
}
