package hs

// The client's side of the directory: where to look a `.mesh` name up, and
// which of the values found to believe.

import (
	"fmt"
	"time"
)

// FetchPlan parses address and returns its identity key and the DHT
// indices to try, most likely first (FetchPeriods × replicas). The fetches
// themselves go through circuits (the network side's job).
func FetchPlan(address string, now time.Time, length time.Duration) (PublicKey, []Index, error) {
	pub, err := ParseAddress(address)
	if err != nil {
		return PublicKey{}, nil, err
	}
	var out []Index
	for _, p := range FetchPeriods(now, length) {
		b, err := pub.Blind(p)
		if err != nil {
			return PublicKey{}, nil, err
		}
		out = append(out, Indices(b, p)...)
	}
	return pub, out, nil
}

// Best opens every value fetched for pub and returns the highest-revision
// descriptor of the current period if any, else of the other; with none it
// returns the first value's refusal reason (ErrDecrypt when empty).
func Best(values [][]byte, pub PublicKey, now time.Time, length time.Duration) (*Descriptor, error) {
	cur := PeriodAt(now, length).Num
	var best *Descriptor
	var firstErr error
	for _, v := range values {
		d, err := Open(v, pub, now, length)
		if err != nil {
			firstErr = cmpOr(firstErr, err)
			continue
		}
		if best == nil || better(d, best, cur) {
			best = d
		}
	}
	if best == nil {
		return nil, cmpOr(firstErr, fmt.Errorf("%w: no descriptor found", ErrDecrypt))
	}
	return best, nil
}

func better(d, than *Descriptor, cur uint64) bool {
	if (d.Period.Num == cur) != (than.Period.Num == cur) {
		return d.Period.Num == cur
	}
	return d.Revision > than.Revision
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
