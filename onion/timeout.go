package onion

// Circuit build timeout learned from observed build times, after Tor's
// circuit build timeout (Tor proposal 151; path-spec §2.4 "Learning when to
// give up ('timeout') on circuit construction"). Build times are modelled by
// a Pareto distribution; its scale Xm is the mode of the histogram of
// observed times (bins of BuildTimeBin) and its shape α the maximum
// likelihood estimate α = n / Σ ln(x_i / Xm). The timeout is the quantile
// q = BuildTimeQuantile of that Pareto: Xm / (1 − q)^(1/α).
// Pure functions: the caller keeps the observations (Tor keeps 1000).

import (
	"math"
	"slices"
	"time"
)

const (
	// DefaultBuildTimeout applies until MinBuildTimeSamples are known.
	DefaultBuildTimeout = 60 * time.Second
	// MinBuildTimeout is a floor on the learned value.
	MinBuildTimeout = 10 * time.Millisecond
	// MinBuildTimeSamples is how many builds must be observed before learning
	// (Tor uses 100).
	MinBuildTimeSamples = 100
	// BuildTimeQuantile is the quantile of the fit used as the timeout.
	BuildTimeQuantile = 0.80
	// BuildTimeBin is the histogram bin width for the mode (Tor: 10 ms).
	BuildTimeBin = 10 * time.Millisecond
	// buildTimeModes is how many of the most frequent bins are averaged for
	// Xm (Tor's cbtnummodes default is 10; 3 is steadier on small samples).
	buildTimeModes = 3
)

// BuildTimeout returns the circuit build timeout to use given the observed
// successful build times.
func BuildTimeout(observed []time.Duration) time.Duration {
	if len(observed) < MinBuildTimeSamples {
		return DefaultBuildTimeout
	}
	xm, alpha := ParetoFit(observed)
	if alpha <= 0 || math.IsInf(alpha, 0) || math.IsNaN(alpha) {
		return DefaultBuildTimeout
	}
	t := time.Duration(float64(xm) / math.Pow(1-BuildTimeQuantile, 1/alpha))
	return min(max(t, MinBuildTimeout), DefaultBuildTimeout)
}

// ParetoFit returns the Pareto scale Xm (from the histogram modes) and the
// maximum-likelihood shape α for the observations. Observations below Xm are
// counted at Xm, as Tor does.
func ParetoFit(observed []time.Duration) (xm time.Duration, alpha float64) {
	xm = histogramMode(observed)
	if xm <= 0 {
		return xm, 0
	}
	var sum float64
	for _, x := range observed {
		sum += math.Log(float64(max(x, xm)) / float64(xm))
	}
	if sum == 0 {
		return xm, math.Inf(1)
	}
	return xm, float64(len(observed)) / sum
}

// histogramMode returns the weighted mean of the centres of the
// buildTimeModes most populated bins.
func histogramMode(observed []time.Duration) time.Duration {
	counts := map[int64]int{}
	for _, x := range observed {
		counts[int64(x/BuildTimeBin)]++
	}
	bins := make([]int64, 0, len(counts))
	for b := range counts {
		bins = append(bins, b)
	}
	slices.SortFunc(bins, func(a, b int64) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return int(a - b)
	})
	var num, den int64
	for _, b := range bins[:min(len(bins), buildTimeModes)] {
		num += (2*b + 1) * int64(BuildTimeBin) / 2 * int64(counts[b])
		den += int64(counts[b])
	}
	if den == 0 {
		return 0
	}
	return time.Duration(num / den)
}
