package hs

import "time"

// DefaultPeriodLength is the time period of blinded keys and descriptor
// indices, a network parameter (rend-spec-v3 §2.2.1 uses one day too).
const DefaultPeriodLength = 24 * time.Hour

// Period is one time period: its number since the Unix epoch and its
// length, both bound into the blinded key so that nodes with different
// period lengths never agree on a key by accident.
type Period struct {
	Num    uint64
	Length time.Duration
}

// PeriodAt returns the period containing t. A zero length means
// DefaultPeriodLength. Unlike Tor there is no rotation offset: periods start
// at multiples of their length after the epoch.
func PeriodAt(t time.Time, length time.Duration) Period {
	if length <= 0 {
		length = DefaultPeriodLength
	}
	return Period{Num: uint64(t.Unix()) / uint64(length/time.Second), Length: length}
}

// Start returns the first instant of p.
func (p Period) Start() time.Time {
	return time.Unix(int64(p.Num*p.seconds()), 0).UTC()
}

// End returns the first instant after p.
func (p Period) End() time.Time { return p.Next().Start() }

// Next returns the period after p.
func (p Period) Next() Period { return Period{p.Num + 1, p.Length} }

func (p Period) seconds() uint64 { return uint64(p.Length / time.Second) }
