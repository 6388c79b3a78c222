package compute

import (
	"context"
	"testing"
)

// TestCheaterRecomputed runs a job through the queue with real sandbox runs:
// a worker that forges its output is outvoted (by a lead of two, so a third
// and fourth worker recompute), earns nothing, and is caught.
func TestCheaterRecomputed(t *testing.T) {
	t.Parallel()
	box := testSandbox(t)
	plain := fixture(t, "sum")
	module, err := Instrument(plain)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Version: 1, Module: ModuleHash(plain), Inputs: [][]byte{nil, []byte("x")},
		UnitsPerTask: 1, Replication: 2, TaskTimeoutMS: 1000, DeadlineUnix: 1 << 35}
	q := NewQueue(NewMemStore(), QueueConfig{})
	if err := q.Submit("job", m); err != nil {
		t.Fatal(err)
	}
	workers := []string{"mallory", "alice", "bob", "carol"}
	for round := 0; round < 10; round++ {
		for _, w := range workers {
			a, err := q.Lease(w)
			if err != nil || a == nil {
				continue
			}
			res, err := box.Run(context.Background(), Task{Module: module, Input: a.Input, Fuel: a.Fuel, Seed: a.Seed})
			if err != nil {
				t.Fatal(err)
			}
			if w == "mallory" {
				res.Output = []byte("forged")
			}
			if _, err := q.Complete(a.Lease, res); err != nil {
				t.Fatal(err)
			}
		}
	}
	job, _ := q.Job("job")
	if job.State != JobDone || job.Accepted != 2 {
		t.Fatalf("job %+v", job)
	}
	if w, _ := q.Worker("mallory"); w.Fuel != 0 || w.Invalid == 0 || w.Caught == 0 {
		t.Fatalf("cheater %+v", w)
	}
	tasks, _ := q.Tasks("job")
	for _, task := range tasks {
		if len(task.Output) != 8 || task.Fuel == 0 || task.Units != 1 {
			t.Fatalf("task %d: output %x fuel %d units %d", task.Index, task.Output, task.Fuel, task.Units)
		}
	}
}
