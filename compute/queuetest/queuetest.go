// Package queuetest is the contract test suite of compute.Queue over a
// compute.Store: every Store implementation runs it (the in-memory fake in
// compute, bbolt in compute/boltqueue). It drives the queue with a fake
// clock and scripted workers; it never runs wasm.
package queuetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"cyclecash/compute"
)

// Run runs every scenario against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) compute.Store) {
	scenarios := []struct {
		name string
		fn   func(*testing.T, compute.Store)
	}{
		{"CheaterOutvoted", testCheaterOutvoted},
		{"LeaseExpiry", testLeaseExpiry},
		{"NeverTwoReplicas", testNeverTwoReplicas},
		{"AdaptiveTrust", testAdaptiveTrust},
		{"LostReplica", testLostReplica},
		{"JobDeadline", testJobDeadline},
		{"Accounting", testAccounting},
		{"OutOfTries", testOutOfTries},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.fn(t, newStore(t))
		})
	}
}

// clock is a settable fake clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *clock                   { return &clock{now: time.Unix(1_800_000_000, 0)} }

func manifest(tasks, replication int) *compute.Manifest {
	m := &compute.Manifest{
		Version: compute.ManifestVersion, Module: compute.ModuleHash([]byte("m")),
		UnitsPerTask: 5, Replication: replication, TaskTimeoutMS: 60_000, DeadlineUnix: 1_800_086_400,
	}
	for i := range tasks {
		m.Inputs = append(m.Inputs, fmt.Appendf(nil, "input %d", i))
	}
	return m
}

func newQueue(t *testing.T, s compute.Store, c *clock, tasks, replication int) *compute.Queue {
	t.Helper()
	q := compute.NewQueue(s, compute.QueueConfig{Now: c.Now})
	if err := q.Submit("job1", manifest(tasks, replication)); err != nil {
		t.Fatal(err)
	}
	return q
}

// honest is the result every honest worker computes for an input.
func honest(a *compute.Assignment) compute.Result {
	return compute.Result{Status: compute.StatusOK, Output: append([]byte("out:"), a.Input...), FuelUsed: 35 * compute.FuelPerUnit / 10}
}

func cheat(a *compute.Assignment) compute.Result {
	r := honest(a)
	r.Output = []byte("forged")
	return r
}

func mustLease(t *testing.T, q *compute.Queue, worker string) *compute.Assignment {
	t.Helper()
	a, err := q.Lease(worker)
	if err != nil || a == nil {
		t.Fatalf("Lease(%s) = %v, %v; want an assignment", worker, a, err)
	}
	return a
}

func noLease(t *testing.T, q *compute.Queue, worker string) {
	t.Helper()
	if a, err := q.Lease(worker); err != nil || a != nil {
		t.Fatalf("Lease(%s) = %+v, %v; want nothing", worker, a, err)
	}
}

func complete(t *testing.T, q *compute.Queue, a *compute.Assignment, r compute.Result) compute.TaskState {
	t.Helper()
	st, err := q.Complete(a.Lease, r)
	if err != nil {
		t.Fatalf("Complete(%s): %v", a.Lease.Worker, err)
	}
	return st
}

func testCheaterOutvoted(t *testing.T, s compute.Store) {
	c := newClock()
	q := newQueue(t, s, c, 1, 2)
	a := mustLease(t, q, "alice")
	noLease(t, q, "alice") // an ask in between: the replica is held back from the next
	x := mustLease(t, q, "mallory")
	if complete(t, q, a, honest(a)) != compute.TaskOpen || complete(t, q, x, cheat(x)) != compute.TaskOpen {
		t.Fatal("task settled before a quorum")
	}
	noLease(t, q, "mallory")
	b := mustLease(t, q, "bob") // the third replica recomputes the task
	if complete(t, q, b, honest(b)) != compute.TaskOpen {
		t.Fatal("accepted 2:1 after a conflict; want a lead of two")
	}
	noLease(t, q, "bob")
	y := mustLease(t, q, "carol")
	if complete(t, q, y, honest(y)) != compute.TaskAccepted {
		t.Fatal("honest majority not accepted")
	}
	tasks, _ := q.Tasks("job1")
	if got := string(tasks[0].Output); got != "out:input 0" || len(tasks[0].Valid) != 3 {
		t.Fatalf("accepted %q, valid %v", got, tasks[0].Valid)
	}
	m, _ := q.Worker("mallory")
	if m.Fuel != 0 || m.Invalid != 1 || m.Caught != 1 {
		t.Fatalf("cheater record %+v", m)
	}
	if w, _ := q.Worker("alice"); w.Fuel != 35*compute.FuelPerUnit/10 || w.ConsecutiveValid != 1 {
		t.Fatalf("honest record %+v", w)
	}
}

func testLeaseExpiry(t *testing.T, s compute.Store) {
	c := newClock()
	q := newQueue(t, s, c, 1, 2)
	a := mustLease(t, q, "alice")
	noLease(t, q, "alice")
	mustLease(t, q, "bob")
	noLease(t, q, "carol")
	c.advance(2 * time.Minute) // past timeout + grace
	if _, err := q.Complete(a.Lease, honest(a)); !errors.Is(err, compute.ErrLeaseExpired) {
		t.Fatalf("late result: err = %v", err)
	}
	if n, err := q.Expire(); err != nil || n != 2 {
		t.Fatalf("Expire = %d, %v; want 2", n, err)
	}
	x := mustLease(t, q, "carol") // both replicas re-dispatched
	noLease(t, q, "carol")
	y := mustLease(t, q, "dave")
	complete(t, q, x, honest(x))
	if complete(t, q, y, honest(y)) != compute.TaskAccepted {
		t.Fatal("re-dispatched task not accepted")
	}
}

func testNeverTwoReplicas(t *testing.T, s compute.Store) {
	c := newClock()
	q := newQueue(t, s, c, 2, 3)
	first := mustLease(t, q, "alice")
	second := mustLease(t, q, "alice")
	if first.Lease.Task == second.Lease.Task {
		t.Fatal("two replicas of one task to one worker")
	}
	noLease(t, q, "alice")
	c.advance(time.Hour) // even after expiry, alice never gets them again
	noLease(t, q, "alice")
}

func testAdaptiveTrust(t *testing.T, s compute.Store) {
	c := newClock()
	q := compute.NewQueue(s, compute.QueueConfig{Now: c.Now, Rand: func() float64 { return 0.99 }})
	if err := q.Submit("warmup", manifest(10, 2)); err != nil {
		t.Fatal(err)
	}
	drain(t, q, "alice", "bob") // build alice a streak of 10 independently confirmed results
	if w, _ := q.Worker("alice"); w.ConsecutiveValid != 10 {
		t.Fatalf("alice %+v, want a streak of 10", w)
	}
	if err := q.Submit("trusted", manifest(1, 2)); err != nil {
		t.Fatal(err)
	}
	a := mustLease(t, q, "alice")
	noLease(t, q, "carol") // trusted: no second replica
	if complete(t, q, a, honest(a)) != compute.TaskAccepted {
		t.Fatal("trusted single result not accepted")
	}
}

func testLostReplica(t *testing.T, s compute.Store) {
	c := newClock()
	q := newQueue(t, s, c, 1, 2)
	a := mustLease(t, q, "alice")
	noLease(t, q, "alice")
	b := mustLease(t, q, "bob")
	complete(t, q, a, compute.Result{Status: compute.StatusCrashed})
	noLease(t, q, "alice")
	x := mustLease(t, q, "carol")
	complete(t, q, b, honest(b))
	if complete(t, q, x, honest(x)) != compute.TaskAccepted {
		t.Fatal("not accepted after a lost replica")
	}
}

func testJobDeadline(t *testing.T, s compute.Store) {
	c := newClock()
	q := newQueue(t, s, c, 1, 2)
	c.advance(48 * time.Hour)
	noLease(t, q, "alice")
	if j, _ := q.Job("job1"); j.State != compute.JobExpired || j.Units != 0 {
		t.Fatalf("job %+v", j)
	}
}

// testAccounting: the buyer is charged exactly the units of accepted tasks.
func testAccounting(t *testing.T, s compute.Store) {
	c := newClock()
	q := newQueue(t, s, c, 3, 2)
	for j, _ := q.Job("job1"); j.Accepted < 2; j, _ = q.Job("job1") { // two tasks accepted, the third not
		for _, w := range []string{"alice", "bob"} {
			if a, err := q.Lease(w); err != nil {
				t.Fatal(err)
			} else if a != nil {
				complete(t, q, a, honest(a))
				break
			}
		}
	}
	if err := q.Cancel("job1"); err != nil {
		t.Fatal(err)
	}
	j, err := q.Job("job1")
	if err != nil || j.State != compute.JobCancelled || j.Accepted != 2 || j.Units != 2*4 || j.Fuel != 2*35*compute.FuelPerUnit/10 {
		t.Fatalf("job %+v, %v", j, err)
	}
	if _, err := q.Job("nope"); !errors.Is(err, compute.ErrNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
	if err := q.Submit("job1", manifest(1, 2)); !errors.Is(err, compute.ErrDuplicate) {
		t.Fatalf("duplicate submit: %v", err)
	}
}

func testOutOfTries(t *testing.T, s compute.Store) {
	c := newClock()
	q := compute.NewQueue(s, compute.QueueConfig{Now: c.Now, MaxTries: 3})
	if err := q.Submit("job1", manifest(1, 2)); err != nil {
		t.Fatal(err)
	}
	mustLease(t, q, "a")
	noLease(t, q, "a")
	mustLease(t, q, "b")
	c.advance(2 * time.Minute)
	mustLease(t, q, "c") // the third and last try
	noLease(t, q, "d")
	c.advance(2 * time.Minute)
	if _, err := q.Expire(); err != nil {
		t.Fatal(err)
	}
	if j, _ := q.Job("job1"); j.State != compute.JobDone || j.Failed != 1 {
		t.Fatalf("job %+v", j)
	}
}

// drain has the workers lease in turn and complete honestly until none of
// them gets anything.
func drain(t *testing.T, q *compute.Queue, workers ...string) {
	t.Helper()
	for idle := 0; idle < len(workers); {
		idle = 0
		for _, w := range workers {
			a, err := q.Lease(w)
			if err != nil {
				t.Fatal(err)
			}
			if a == nil {
				idle++
				continue
			}
			complete(t, q, a, honest(a))
		}
	}
}
