package storetest

import (
	"context"
	"crypto/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/ledger"
)

// BenchSwap measures durable 4-input, 4-output swaps on st in parallel and,
// in the same run, the pure crypto bound of the same work (verify 4 inputs,
// sign 4 outputs with DLEQ), reporting swaps/s, bound/s and their ratio.
func BenchSwap(b *testing.B, st ledger.Store) {
	f := NewFixture(b, st)
	f.Clock = f.Clock.Add(-24 * 3600e9) // a fresh day's cap for the setup
	reqs := make([]ledger.SwapRequest, b.N)
	var all []ledger.Proof
	for len(all) < 4*b.N {
		all = append(all, f.Issue(ones(min(256, 4*b.N-len(all)))...)...)
	}
	ks := f.Keyset(all[0].ID)
	for i := range reqs {
		_, outs := f.Outputs(ks, 1, 1, 1, 1)
		reqs[i] = ledger.SwapRequest{Inputs: all[4*i : 4*i+4], Outputs: outs}
	}
	f.Clock = f.Clock.Add(24 * 3600e9)
	perBound := cryptoRate(b, ks, reqs[0], max(200, b.N/2))
	var next atomic.Int64
	b.SetParallelism(4) // several swaps in flight, so commits overlap crypto
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.Mint.Swap(context.Background(), reqs[next.Add(1)-1]); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	// The machine may be shared: measure the bound before and after.
	perBound = (perBound + cryptoRate(b, ks, reqs[0], max(200, b.N/2))) / 2
	swaps := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(swaps, "swaps/s")
	b.ReportMetric(perBound, "bound/s")
	b.ReportMetric(swaps/perBound, "ratio")
}

// cryptoRate measures the signature work of one swap (verify 4 inputs,
// sign 4 outputs with DLEQ) on as many goroutines as the swap run uses,
// in swaps per second.
func cryptoRate(b *testing.B, ks *ledger.Keyset, req ledger.SwapRequest, n int) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 * runtime.GOMAXPROCS(0) { // as many workers as the swap run
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				for _, p := range req.Inputs {
					if _, err := ks.VerifyProof(p); err != nil {
						b.Error(err)
					}
				}
				for _, o := range req.Outputs {
					if _, err := ks.SignOutput(rand.Reader, o); err != nil {
						b.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

func ones(n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// BenchCheckState measures single-Y checkstate lookups on st in parallel,
// half of them for spent proofs.
func BenchCheckState(b *testing.B, st ledger.Store) {
	f := NewFixture(b, st)
	in := f.Issue(ones(64)...)
	_, outs := f.Outputs(f.Keyset(in[0].ID), ones(64)...)
	if _, err := f.Mint.Swap(context.Background(), ledger.SwapRequest{Inputs: in, Outputs: outs}); err != nil {
		b.Fatal(err)
	}
	ys := Ys(b, in)
	for range 64 {
		_, o := f.Outputs(f.Keyset(in[0].ID), 1)
		ys = append(ys, o[0].B) // any point: an unknown Y
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			y := ys[next.Add(1)%int64(len(ys))]
			if _, err := f.Mint.CheckState(context.Background(), []ledger.Point{y}); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}
