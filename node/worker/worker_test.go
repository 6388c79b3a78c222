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
// never more; with cpu_share s each slot rests (1-s)/s times as long as
// its task took, measured on an injected clock (no wall-clock share).
func TestWorkerCPUShareAndConcurrency(t *testing.T) {
	t.Parallel()
	// Three slots: all three enter a task before any finishes.
	var in atomic.Int64
	entered, release := make(chan struct{}, 8), make(chan struct{})
	f := &fakeWork{}
	w := testWorker(work.Config{Concurrency: 3, CPUShare: 1, Poll: time.Millisecond}, Hooks{}, f)
	w.work = func(ctx context.Context) (bool, error) {
		n := in.Add(1)
		for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
		}
		entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		in.Add(-1)
		return true, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	for range 3 {
		<-entered
	}
	if m := f.most.Load(); m != 3 {
		t.Errorf("%d tasks at once, want 3", m)
	}
	cancel()
	<-done
	if m := f.most.Load(); m != 3 {
		t.Errorf("at most %d tasks at once, want exactly 3", m)
	}
	// The share: each task takes 20 ms on the fake clock.
	for _, tc := range []struct {
		share float64
		rest  time.Duration // per 20 ms task
	}{{0.5, 20 * time.Millisecond}, {0.25, 60 * time.Millisecond}, {1, 0}} {
		var mu sync.Mutex
		clock := time.Unix(1_800_000_000, 0)
		var rests []time.Duration
		ctx, cancel := context.WithCancel(context.Background())
		w := testWorker(work.Config{Concurrency: 1, CPUShare: tc.share}, Hooks{}, &fakeWork{})
		tasks := 0
		w.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		w.rest = func(_ context.Context, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			rests, clock = append(rests, d), clock.Add(d)
		}
		w.work = func(context.Context) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			if tasks++; tasks > 5 {
				cancel()
				return false, nil
			}
			clock = clock.Add(20 * time.Millisecond)
			return true, nil
		}
		w.Run(ctx)
		want := 5
		if tc.rest == 0 {
			want = 0
		}
		if len(rests) != want {
			t.Fatalf("cpu_share %v: %d rests, want %d", tc.share, len(rests), want)
		}
		for _, d := range rests {
			if d != tc.rest {
				t.Errorf("cpu_share %v: rest %v after a 20ms task, want %v", tc.share, d, tc.rest)
			}
		}
	}
}
