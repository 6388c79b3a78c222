package overlay

import (
	"sync"
	"time"
)

// relayLimiter paces the cells this node relays for others to a byte rate:
// a token bucket holding one second's worth. It only ever slows the read
// loops down, so a node can lower its relay share but never opt out of
// relaying: the cells still flow, at the rate the operator allows, and TCP
// pushes the back-pressure to the neighbour.
type relayLimiter struct {
	rate  float64 // bytes per second
	now   func() time.Time
	sleep func(time.Duration)

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// newRelayLimiter returns a limiter of rate bytes per second (nil for 0)
// reading the time from now and sleeping with sleep (nil: the real ones).
func newRelayLimiter(rate uint64, now func() time.Time, sleep func(time.Duration)) *relayLimiter {
	if rate == 0 {
		return nil
	}
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = time.Sleep
	}
	return &relayLimiter{rate: float64(rate), now: now, sleep: sleep, tokens: float64(rate), last: now()}
}

// wait takes n bytes from the bucket, sleeping until they are there.
func (r *relayLimiter) wait(n int) {
	if r == nil || n == 0 {
		return
	}
	r.mu.Lock()
	now := r.now()
	r.tokens = min(r.rate, r.tokens+now.Sub(r.last).Seconds()*r.rate) - float64(n)
	r.last = now
	short := -r.tokens
	r.mu.Unlock()
	if short > 0 {
		r.sleep(time.Duration(short / r.rate * float64(time.Second)))
	}
}
