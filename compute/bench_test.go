package compute

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"cyclecash/examples/primes/count"
)

// The benchmarks behind the figures in the compute report. Each compares
// against its baseline in the same run:
//
//	go test -run='^$' -bench=. -benchtime=5x ./compute/
const benchPrimesHi = 3_000_000

func BenchmarkPrimesNative(b *testing.B) {
	for b.Loop() {
		if count.Primes(1, benchPrimesHi) == 0 {
			b.Fatal("no primes")
		}
	}
}

func BenchmarkPrimesMetered(b *testing.B) { benchPrimes(b, meteredExample(b, "primes")) }

func BenchmarkPrimesUnmetered(b *testing.B) {
	mod, err := instrument(exampleWasm(b, "primes"), false)
	if err != nil {
		b.Fatal(err)
	}
	benchPrimes(b, mod)
}

func benchPrimes(b *testing.B, mod []byte) {
	box := testSandbox(b)
	if err := box.Precompile(context.Background(), mod); err != nil {
		b.Fatal(err)
	}
	input := fmt.Appendf(nil, "1 %d", benchPrimesHi)
	var fuel int64
	b.ResetTimer()
	for b.Loop() {
		res, err := box.Run(context.Background(), Task{Module: mod, Input: input, Fuel: 1 << 50})
		if err != nil || res.Status != StatusOK {
			b.Fatalf("%v %+v", err, res)
		}
		fuel = res.FuelUsed
	}
	b.ReportMetric(float64(fuel)/1e6, "Mfuel/op")
}

// BenchmarkCompileCold compiles the primes module with no cache at all.
func BenchmarkCompileCold(b *testing.B) {
	mod := meteredExample(b, "primes")
	ctx := context.Background()
	for b.Loop() {
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
		if _, err := rt.CompileModule(ctx, mod); err != nil {
			b.Fatal(err)
		}
		rt.Close(ctx)
	}
}

// BenchmarkCompileCached loads it from the on-disk cache in a fresh
// sandbox, as a child process does for every task.
func BenchmarkCompileCached(b *testing.B) {
	mod := meteredExample(b, "primes")
	ctx := context.Background()
	dir := filepath.Join(shared.dir, "cache")
	for b.Loop() {
		box, err := NewSandbox(ctx, SandboxConfig{CacheDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if err := box.Precompile(ctx, mod); err != nil {
			b.Fatal(err)
		}
		box.Close(ctx)
	}
}

// BenchmarkTaskInProcess is the per-task overhead of a trivial task (the
// hand-written sum module, and a Go module doing almost nothing) in a warm
// in-process sandbox.
func BenchmarkTaskInProcess(b *testing.B) {
	for _, tc := range []struct {
		name  string
		mod   []byte
		input string
	}{
		{"wat", mustInstrument(b, fixture(b, "sum")), ""},
		{"go", meteredExample(b, "primes"), "1 2"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			box := testSandbox(b)
			for b.Loop() {
				res, err := box.Run(context.Background(), Task{Module: tc.mod, Input: []byte(tc.input), Fuel: 1e9})
				if err != nil || res.Status != StatusOK {
					b.Fatalf("%v %+v", err, res)
				}
			}
		})
	}
}

// BenchmarkTaskChild is the same trivial Go task in a child process: exec,
// cached compile, run, result.
func BenchmarkTaskChild(b *testing.B) {
	mod := meteredExample(b, "primes")
	runner := testChild()
	for b.Loop() {
		res, err := runner.Run(context.Background(), Task{Module: mod, Input: []byte("1 2"), Fuel: 1e9}, time.Minute)
		if err != nil || res.Status != StatusOK {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

func mustInstrument(b testing.TB, mod []byte) []byte {
	out, err := Instrument(mod)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
