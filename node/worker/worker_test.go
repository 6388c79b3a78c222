package worker

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/node/work"
)

// fakeWork stands in for lease-run-report: each call "runs" a task for
// d, counting calls and the most run at once.
type fakeWork struct {
	d                time.Duration
	calls, now, most atomic.Int64
	mu               sync.Mutex
	busy             time.Duration // summed run time
}

func (f *fakeWork) step(ctx context.Context) (bool, error) {
	f.calls.Add(1)
	n := f.now.Add(1)
	for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
	}
	sleepCtx(ctx, f.d)
	f.now.Add(-1)
	f.mu.Lock()
	f.busy += f.d
	f.mu.Unlock()
	return true, nil
}

func testWorker(c work.Config, h Hooks, f *fakeWork) *Worker {
	c = c.WithDefaults(false)
	return &Worker{cfg: c, hooks: h, log: slog.New(slog.DiscardHandler), work: f.step}
}

// TestWorkerYieldsToLoad: while the load average exceeds yield_load the
// worker takes no task; once it drops, work resumes.
func TestWorkerYieldsToLoad(t *testing.T) {
	t.Parallel()
	var load atomic.Value
	load.Store(8.0)
	f := &fakeWork{d: time.Millisecond}
	w := testWorker(work.Config{YieldLoad: 2, Poll: 5 * time.Millisecond},
		Hooks{LoadAverage: func() (float64, error) { return load.Load().(float64), nil }}, f)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	if n := f.calls.Load(); n != 0 {
		t.Fatalf("busy machine: %d tasks taken, want 0", n)
	}
	load.Store(0.5)
	deadline := time.Now().Add(5 * time.Second)
	for f.calls.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if n := f.calls.Load(); n < 5 {
		t.Fatalf("idle machine: %d tasks taken", n)
	}
	if testWorker(work.Config{}, Hooks{LoadAverage: func() (float64, error) { return 99, nil }}, f).busy() {
		t.Fatal("yield_load 0 must never yield")
	}
}

// TestWorkerCPUShareAndConcurrency: concurrency slots run at once and
// never more; with cpu_share 0.5 each slot rests as long as it worked.
func TestWorkerCPUShareAndConcurrency(t *testing.T) {
	t.Parallel()
	f := &fakeWork{d: 20 * time.Millisecond}
	w := testWorker(work.Config{Concurrency: 3, CPUShare: 0.5, Poll: time.Millisecond}, Hooks{}, f)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	start := time.Now()
	w.Run(ctx)
	elapsed := time.Since(start)
	if m := f.most.Load(); m != 3 {
		t.Errorf("at most %d tasks at once, want exactly 3", m)
	}
	f.mu.Lock()
	share := float64(f.busy) / float64(3*elapsed)
	f.mu.Unlock()
	t.Logf("cpu_share 0.5: slots busy %.2f of the time over %v", share, elapsed.Round(time.Millisecond))
	if share < 0.35 || share > 0.6 {
		t.Errorf("busy share %.2f, want about 0.5", share)
	}
	full := &fakeWork{d: 20 * time.Millisecond}
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	testWorker(work.Config{Concurrency: 1, CPUShare: 1}, Hooks{}, full).Run(ctx)
	if m, n := full.most.Load(), full.calls.Load(); m != 1 || n < 10 {
		t.Errorf("cpu_share 1, one slot: %d at once, %d tasks in 300ms", m, n)
	}
}
