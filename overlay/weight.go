package overlay

import (
	"math"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Selection weights. A relay's claimed bandwidth is its own word, so it is
// capped twice before it weighs anything: by a network-wide ceiling and by
// a multiple of the median claim in the directory (a liar claiming 2^64 B/s
// weighs no more than a generous honest relay). Where this node has
// measured what a relay actually carried for it, the weight is also capped
// by that measurement (no margin: a liar claiming without limit would get
// the margin as a bonus over the truth, see pathsim_test.go), and a relay
// it has not measured weighs at most the lower quartile of the claims: a
// claim only counts above it once this node has seen the relay carry it.
// Tor caps unmeasured relays lower still (maxunmeasuredbw, 20 kB/s, in
// param-spec), since its authorities measure nearly every relay. The
// quartile rather than the median: with the median, a client that has
// measured nothing gave a 10 % adversary both ends of 1.58 f² of its
// circuits in pathsim_test.go (liars weigh the median each while half the
// honest relays weigh less, and their own high claims push the median
// up); with the quartile 1.24 f², for circuits whose slowest relay is
// about a quarter slower (3.0 against 4.0 MiB/s) until this node has
// measured the relays it uses. The rule is written up in ARCHITECTURE.md
// ("Path weights").
const (
	// DefaultBandwidthCeiling is the largest claim that counts: 1 GiB/s.
	DefaultBandwidthCeiling = 1 << 30
	// DefaultMedianMultiple caps a claim at this many times the median claim.
	DefaultMedianMultiple = 32
	// minWeight is the weight of a relay advertising less, so a relay
	// claiming 0 is rarely chosen but not impossible to reach.
	minWeight = 1 << 10
)

// WeightRules are the caps on claimed bandwidth, network parameters every
// client of one network should share. The zero value means the defaults.
type WeightRules struct {
	Ceiling        uint64 // largest claim that counts, B/s; 0 = DefaultBandwidthCeiling
	MedianMultiple uint64 // claims above this many medians count as that; 0 = DefaultMedianMultiple
}

func (w WeightRules) withDefaults() WeightRules {
	if w.Ceiling == 0 {
		w.Ceiling = DefaultBandwidthCeiling
	}
	if w.MedianMultiple == 0 {
		w.MedianMultiple = DefaultMedianMultiple
	}
	return w
}

// Measurer tells what this node measured a relay carrying for it, in B/s
// (Measurements implements it).
type Measurer interface {
	Measured(p peer.ID) (bytesPerSec uint64, ok bool)
}

// claimQuantiles is the median and the lower quartile of the bandwidth
// claimed by the relays of dir, each at least minWeight, from one sort.
func claimQuantiles(dir []*Descriptor) (median, quartile uint64) {
	claims := make([]uint64, 0, len(dir))
	for _, d := range dir {
		if d.Roles&RoleRelay != 0 {
			claims = append(claims, d.Bandwidth)
		}
	}
	if len(claims) == 0 {
		return minWeight, minWeight
	}
	slices.Sort(claims)
	return max(claims[len(claims)/2], minWeight), max(claims[len(claims)/4], minWeight)
}

// capFor is the largest weight any claim may have in a directory whose
// median claim is median.
func (w WeightRules) capFor(median uint64) uint64 {
	w = w.withDefaults()
	return min(w.Ceiling, mulSat(median, w.MedianMultiple))
}

// weightOf is d's selection weight under cap and m (nil: no measurements
// kept, claims count up to cap); unmeasured is the most a relay m has not
// measured weighs (the lower quartile of the claims: claimQuantiles).
func weightOf(d *Descriptor, cap, unmeasured uint64, m Measurer) uint64 {
	w := min(d.Bandwidth, cap)
	if m != nil {
		if got, ok := m.Measured(d.Peer); ok {
			w = min(w, got)
		} else {
			w = min(w, unmeasured)
		}
	}
	return max(w, minWeight)
}

// guardWeightOf is the weight d is sampled by as an entry guard, given its
// path weight w. A guard is kept for weeks, so its choice must rest on
// nothing a relay can steer: every relay, measured or not, weighs at most
// 1/guardMedianShare of the median claim as a guard candidate, which
// makes sampling nearly uniform (only relays claiming or carrying less
// weigh less). A liar then gains by the number of relays it runs (each
// costs a proof of work and room in a /16 quota), not by what it claims.
//
// Measurements do not raise it. They did: a relay this node had measured
// kept its measured weight, up to the median and beyond, against 1/16 of
// the median for the unmeasured. Measurements accrue to whatever carried
// this node's circuits, so a client that sampled a guard after its first
// day (a new primary, a guard set aside, or a client first online later)
// drew among the relays it had already used as middles and last relays,
// by their carried rate: an adversary running mid-sized relays that carry
// well was drawn several times its share. pathsim_test.go measured it
// (10,000 clients, builds not failing): a 10 % adversary was the guard of
// 12.6 % of circuits and 22.7 % of clients over 30 days, 10.9 % and 19.9 %
// with this rule, as exact weights give under the simulation's churn.
func guardWeightOf(w, median uint64) uint64 {
	return max(min(w, median/guardMedianShare), minWeight)
}

// guardMedianShare: every guard candidate weighs at most the median claim
// over this (guardWeightOf).
const guardMedianShare = 16

func mulSat(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

func addSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}
