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

// PublishPeriods returns the periods a service publishes descriptors for at
// now: the current one and the next, so clients whose clocks are already
// in the next period find it (rend-spec-v3 §2.2.1 does the same).
func PublishPeriods(now time.Time, length time.Duration) []Period {
	p := PeriodAt(now, length)
	return []Period{p, p.Next()}
}

// FetchPeriods returns the periods a client looks a service up under at
// now, most likely first: the current one, then the neighbour nearest in
// time, for a service or client whose clock is off near a boundary.
func FetchPeriods(now time.Time, length time.Duration) []Period {
	p := PeriodAt(now, length)
	if now.Sub(p.Start()) < p.End().Sub(now) && p.Num > 0 {
		return []Period{p, {p.Num - 1, p.Length}}
	}
	return []Period{p, p.Next()}
}
