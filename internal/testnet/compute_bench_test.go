package testnet

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/node"
)

// stageTimes collects the worker's per-stage durations (Observe hook).
type stageTimes struct {
	mu sync.Mutex
	d  map[string][]time.Duration
}

func (s *stageTimes) observe(stage string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d[stage] = append(s.d[stage], d)
}

func (s *stageTimes) median(stage string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := slices.Clone(s.d[stage])
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// BenchmarkComputeTaskOverhead measures, per trivial task (primes of
// "0 10"), the network overhead between dispatch and an accepted result
// as a worker sees it: the lease round trip plus the complete round trip
// (each replica's report; the second one is accepted), for open workers
// (direct libp2p stream) and stealth workers (3-relay circuit). The
// baseline, measured in the same run, is the in-process sandbox run of
// the same instrumented task; the child-process run is reported beside it.
func BenchmarkComputeTaskOverhead(b *testing.B) {
	if raceEnabled {
		b.Skip("wazero compiles ~50x slower under -race")
	}
	mod, err := compute.Instrument(primesWasm(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	box, err := compute.NewSandbox(ctx, compute.SandboxConfig{})
	if err != nil {
		b.Fatal(err)
	}
	defer box.Close(ctx)
	task := compute.Task{Module: mod, Input: []byte("0 10"), Fuel: 2 * compute.FuelPerUnit}
	box.Run(ctx, task) // compile once
	start := time.Now()
	const inproc = 50
	for range inproc {
		if res, err := box.Run(ctx, task); err != nil || res.Status != compute.StatusOK {
			b.Fatal(res.Detail, err)
		}
	}
	baseline := time.Since(start) / inproc
	for _, mode := range []string{node.WorkerOpen, node.WorkerStealth} {
		b.Run(mode, func(b *testing.B) { benchOverhead(b, mode, baseline) })
	}
}

func benchOverhead(b *testing.B, mode string, baseline time.Duration) {
	times := &stageTimes{d: map[string][]time.Duration{}}
	net, err := Start(b.TempDir(), Options{N: 7, Configure: func(i int, c *node.Config) {
		if i == 5 {
			gatewayConfig(c)
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := net.WaitDirectory(ctx, 6); err != nil {
		b.Fatal(err)
	}
	gw, buyer := net.Nodes[5], net.Nodes[6]
	var workers []*node.Node
	for i := range 2 {
		w, err := net.Add(i, func(c *node.Config) {
			workerConfig(mode)(c)
			c.Compute.Poll = 5 * time.Millisecond
			c.WorkerForTest.Observe = times.observe
		})
		if err != nil {
			b.Fatal(err)
		}
		workers = append(workers, w)
	}
	for _, w := range workers {
		for _, err := w.WorkerAccount(ctx); err != nil; _, err = w.WorkerAccount(ctx) {
			if ctx.Err() != nil {
				b.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	n := max(b.N, 2)
	pay := buyTokens(b, gw, uint64(n))
	req := &node.JobRequest{Module: primesWasm(b), UnitsPerTask: 1, TaskTimeoutMS: 20_000, Tokens: []string{pay}}
	for range n {
		req.Inputs = append(req.Inputs, []byte("0 10"))
	}
	times.d = map[string][]time.Duration{}
	b.ResetTimer()
	id, err := buyer.SubmitJob(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	for {
		job, err := gw.ComputeQueue().Job(id)
		if err == nil && job.State != compute.JobRunning {
			break
		}
		if ctx.Err() != nil {
			b.Fatal("job did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	overhead := times.median("lease") + times.median("complete")
	b.ReportMetric(float64(overhead.Microseconds())/1000, "overhead-ms")
	b.ReportMetric(float64(times.median("lease").Microseconds())/1000, "lease-ms")
	b.ReportMetric(float64(times.median("complete").Microseconds())/1000, "complete-ms")
	b.ReportMetric(float64(times.median("run").Microseconds())/1000, "child-run-ms")
	b.ReportMetric(float64(baseline.Microseconds())/1000, "baseline-inproc-run-ms")
}
