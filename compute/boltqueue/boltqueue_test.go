package boltqueue

import (
	"path/filepath"
	"testing"

	"cyclecash/compute"
	"cyclecash/compute/queuetest"
)

func TestContract(t *testing.T) {
	t.Parallel()
	queuetest.Run(t, func(t *testing.T) compute.Store {
		s, err := Open(filepath.Join(t.TempDir(), "queue.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestPersistence: a queue survives closing and reopening its file.
func TestPersistence(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "queue.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	q := compute.NewQueue(s, compute.QueueConfig{})
	m := &compute.Manifest{Version: 1, Module: compute.ModuleHash([]byte("m")), Inputs: [][]byte{[]byte("x")},
		UnitsPerTask: 1, Replication: 2, TaskTimeoutMS: 1000, DeadlineUnix: 1 << 35}
	if err := q.Submit("job", m); err != nil {
		t.Fatal(err)
	}
	a, err := q.Lease("alice")
	if err != nil || a == nil {
		t.Fatalf("lease: %v %v", a, err)
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q = compute.NewQueue(s, compute.QueueConfig{})
	tasks, err := q.Tasks("job")
	if err != nil || len(tasks) != 1 || len(tasks[0].Leases) != 1 || tasks[0].Leases[0].Worker != "alice" {
		t.Fatalf("after reopen: %+v %v", tasks, err)
	}
	if b, _ := q.Lease("alice"); b != nil {
		t.Fatal("second replica to the same worker after reopen")
	}
}
