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
	rate float64 // bytes per second

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newRelayLimiter(rate uint64) *relayLimiter {
	if rate == 0 {
		return nil
	}
	return &relayLimiter{rate: float64(rate), tokens: float64(rate), last: time.Now()}
}

// wait takes n bytes from the bucket, sleeping until they are there.
func (r *relayLimiter) wait(n int) {
	if r == nil || n == 0 {
		return
	}
	r.mu.Lock()
	now := time.Now()
	r.tokens = min(r.rate, r.tokens+now.Sub(r.last).Seconds()*r.rate) - float64(n)
	r.last = now
	short := -r.tokens
	r.mu.Unlock()
	if short > 0 {
		time.Sleep(time.Duration(short / r.rate * float64(time.Second)))
	}
}
