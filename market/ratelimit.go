package market

import (
	"sync"
	"time"
)

// Limits are token buckets per action: Burst requests at once, refilled at
// PerMinute. They are global per front-end, since the market never knows
// who (which address) is asking.
type Limits struct {
	SignupPerMinute, LoginPerMinute, TokenPerMinute float64
	SignupBurst, LoginBurst, TokenBurst             float64
}

// DefaultLimits are the limits used for zero fields.
var DefaultLimits = Limits{SignupPerMinute: 10, LoginPerMinute: 30, TokenPerMinute: 60,
	SignupBurst: 20, LoginBurst: 60, TokenBurst: 120}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, def *float64 }{
		{&l.SignupPerMinute, &d.SignupPerMinute}, {&l.LoginPerMinute, &d.LoginPerMinute},
		{&l.TokenPerMinute, &d.TokenPerMinute}, {&l.SignupBurst, &d.SignupBurst},
		{&l.LoginBurst, &d.LoginBurst}, {&l.TokenBurst, &d.TokenBurst},
	} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	return l
}

type action int

const (
	actSignup action = iota
	actLogin
	actToken
)

type bucket struct {
	level, rate, burst float64
	at                 time.Time
}

type limiter struct {
	mu  sync.Mutex
	now func() time.Time
	b   map[action]*bucket
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	mk := func(rate, burst float64) *bucket { return &bucket{level: burst, rate: rate / 60, burst: burst} }
	return &limiter{now: now, b: map[action]*bucket{
		actSignup: mk(l.SignupPerMinute, l.SignupBurst),
		actLogin:  mk(l.LoginPerMinute, l.LoginBurst),
		actToken:  mk(l.TokenPerMinute, l.TokenBurst),
	}}
}

// allow takes one token from a's bucket or returns ErrRateLimited.
func (l *limiter) allow(a action) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, now := l.b[a], l.now()
	if !b.at.IsZero() {
		b.level = min(b.burst, b.level+now.Sub(b.at).Seconds()*b.rate)
	}
	b.at = now
	if b.level < 1 {
		return ErrRateLimited
	}
	b.level--
	return nil
}
