package compute

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fuelKernels are the kernels of testdata/wat/kernels.wat, by the stdin
// byte that selects each.
var fuelKernels = []struct{ name, input string }{
	{"add", "a"}, {"div", "d"}, {"float", "f"}, {"mem", "m"}, {"call", "c"},
}

// BenchmarkFuelKernels prints the fuel per second of each kernel and the
// spread (fastest over slowest), the figure the weights in meterweights.go
// are calibrated to keep within 2:
//
//	go test -run='^$' -bench=FuelKernels -benchtime=3x ./compute/
func BenchmarkFuelKernels(b *testing.B) {
	mod, err := Instrument(watModule(b, "kernels"))
	if err != nil {
		b.Fatal(err)
	}
	box := testSandbox(b)
	if err := box.Precompile(context.Background(), mod); err != nil {
		b.Fatal(err)
	}
	rates := make([]float64, len(fuelKernels))
	for b.Loop() {
		for i, k := range fuelKernels {
			start := time.Now()
			res, err := box.Run(context.Background(), Task{Module: mod, Input: []byte(k.input), Fuel: 1 << 50})
			if err != nil || res.Status != StatusOK {
				b.Fatalf("%s: %v %+v", k.name, err, res)
			}
			rate := float64(res.FuelUsed) / time.Since(start).Seconds()
			rates[i] = max(rates[i], rate) // the best run: least disturbed by other load
		}
	}
	lo, hi := rates[0], rates[0]
	for i, k := range fuelKernels {
		b.ReportMetric(rates[i]/1e9, "Gfuel/s-"+k.name)
		lo, hi = min(lo, rates[i]), max(hi, rates[i])
	}
	b.ReportMetric(hi/lo, "spread")
	fmt.Printf("fuel kernels: spread %.2fx\n", hi/lo)
}
