package onion

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestBuildTimeout(t *testing.T) {
	t.Parallel()
	pareto := func(n int, xm time.Duration, alpha float64) []time.Duration {
		rng := rand.New(rand.NewPCG(1, 2))
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = time.Duration(float64(xm) / math.Pow(1-rng.Float64(), 1/alpha))
		}
		return out
	}
	cases := []struct {
		name   string
		obs    []time.Duration
		lo, hi time.Duration
	}{
		{"no data", nil, DefaultBuildTimeout, DefaultBuildTimeout},
		{"too few", pareto(MinBuildTimeSamples-1, 50*time.Millisecond, 2), DefaultBuildTimeout, DefaultBuildTimeout},
		// Pareto(50ms, α=2): true 80th percentile is 50ms/√0.2 ≈ 112 ms.
		{"pareto", pareto(1000, 50*time.Millisecond, 2), 90 * time.Millisecond, 140 * time.Millisecond},
		{"all equal", func() []time.Duration {
			o := make([]time.Duration, 200)
			for i := range o {
				o[i] = 3 * time.Millisecond
			}
			return o
		}(), MinBuildTimeout, DefaultBuildTimeout},
		{"slow network capped", pareto(500, 50*time.Second, 1.5), DefaultBuildTimeout, DefaultBuildTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := BuildTimeout(tc.obs)
			if got < tc.lo || got > tc.hi {
				t.Fatalf("timeout %v, want in [%v, %v]", got, tc.lo, tc.hi)
			}
		})
	}
}
