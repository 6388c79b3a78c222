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
// neither the map nor the quotes grow with the number of addresses.
//
// Onion clients all arrive from loopback. A gateway serving its API as an
// onion service through overlay/tor's CircuitListener sees each Tor
// circuit as its own address in fc00:dead:beef:4dad::/64 (tor's
// HiddenServiceExportCircuitID), so each circuit gets a bucket. Circuits
// are cheap to open, so they draw from a pool of their own (maxClients
// buckets and their own overflow): a Tor user opening circuit after
// circuit can exhaust the onion overflow, never the buckets of clients
// reached by address.

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
	mu     sync.Mutex
	now    func() time.Time
	rate   float64 // tokens per second
	burst  float64
	max    int
	byAddr pool // clients known by their address
	onion  pool // Tor circuits of an onion service
}

// pool is one bounded set of buckets.
type pool struct {
	clients  map[string]*bucket
	overflow bucket
	swept    time.Time // last expire sweep
}

// circuitNet is where tor's exported circuit IDs live.
var circuitNet = net.IPNet{IP: net.ParseIP("fc00:dead:beef:4dad::"), Mask: net.CIDRMask(64, 128)}

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
	l := &limiter{now: now, rate: float64(perMinute) / 60, burst: float64(burst), max: maxClients}
	for _, p := range []*pool{&l.byAddr, &l.onion} {
		p.clients = map[string]*bucket{}
		p.overflow = bucket{tokens: l.burst, at: now()}
	}
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
	p := &l.byAddr
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil && circuitNet.Contains(ip) {
		p = &l.onion
	}
	b, ok := p.clients[host]
	if !ok {
		l.expire(p, now)
		if len(p.clients) < l.max {
			b = &bucket{tokens: l.burst, at: now}
			p.clients[host] = b
		} else {
			b = &p.overflow
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

// expire drops the buckets of p that have refilled completely (they carry
// no state a new bucket would not) once it is full, at most once a second.
func (l *limiter) expire(p *pool, now time.Time) {
	if len(p.clients) < l.max || now.Sub(p.swept) < time.Second {
		return
	}
	p.swept = now
	for k, b := range p.clients {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(p.clients, k)
		}
	}
}

// size is the number of buckets kept, both pools.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byAddr.clients) + len(l.onion.clients)
}
