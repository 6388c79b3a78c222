package mintapi

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Quote creation is free for the caller, so each client (the host of the
// request's remote address) gets a token bucket. At most maxClients
// buckets are kept; clients beyond them share one overflow bucket, so
// neither the map nor the quotes grow with the number of addresses. A
// gateway reached through an onion service sees every client as
// loopback: the limit is then the gateway's whole quote rate.

// errRateLimited is reported (HTTP 429) to a client creating quotes faster
// than its budget.
var errRateLimited = errors.New("ledger: too many quote requests, slow down")

// Defaults of the quote rate limit.
const (
	DefaultQuotesPerMinute = 60
	DefaultQuoteBurst      = 60
	DefaultMaxClients      = 4096
)

type bucket struct {
	tokens float64
	at     time.Time
}

type limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	rate     float64 // tokens per second
	burst    float64
	max      int
	clients  map[string]*bucket
	overflow bucket
	swept    time.Time // last expire sweep
}

func newLimiter(perMinute, burst, maxClients int, now func() time.Time) *limiter {
	if perMinute <= 0 {
		perMinute = DefaultQuotesPerMinute
	}
	if burst <= 0 {
		burst = DefaultQuoteBurst
	}
	if maxClients <= 0 {
		maxClients = DefaultMaxClients
	}
	if now == nil {
		now = time.Now
	}
	l := &limiter{now: now, rate: float64(perMinute) / 60, burst: float64(burst), max: maxClients,
		clients: map[string]*bucket{}}
	l.overflow = bucket{tokens: l.burst, at: now()}
	return l
}

// allow takes a token from the client's bucket.
func (l *limiter) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.clients[host]
	if !ok {
		l.expire(now)
		if len(l.clients) < l.max {
			b = &bucket{tokens: l.burst, at: now}
			l.clients[host] = b
		} else {
			b = &l.overflow
		}
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// expire drops the buckets that have refilled completely (they carry no
// state a new bucket would not) once the map is full, at most once a
// second.
func (l *limiter) expire(now time.Time) {
	if len(l.clients) < l.max || now.Sub(l.swept) < time.Second {
		return
	}
	l.swept = now
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.clients, k)
		}
	}
}

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
