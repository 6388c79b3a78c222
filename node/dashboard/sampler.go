package dashboard

import (
	"context"
	"sync"
	"time"
)

// Rate sampling: every rateEvery the page reads the figures once and keeps
// the values of its series (series.go) in a ring of rateCount samples, an
// hour. Charts of rates are drawn from the differences between samples,
// so they show what happened in each interval, not totals since start.
const (
	rateEvery = 5 * time.Second
	rateCount = 720
)

// sample is the series' values at one tick; a series the node does not
// report is absent.
type sample struct {
	At time.Time
	V  map[string]float64
}

// sampler keeps the ring. now is its clock (injected by tests).
type sampler struct {
	read func(ctx context.Context) map[string]any
	now  func() time.Time

	mu   sync.Mutex
	ring []sample
	next int
}

func newSampler(read func(context.Context) map[string]any, now func() time.Time) *sampler {
	return &sampler{read: read, now: now}
}

// sample reads the figures now and records their values.
func (s *sampler) sample(ctx context.Context) {
	at := s.now()
	v := values(s.read(ctx))
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ring) < rateCount {
		s.ring = append(s.ring, sample{At: at, V: v})
		return
	}
	s.ring[s.next] = sample{At: at, V: v}
	s.next = (s.next + 1) % rateCount
}

// samples returns the ring oldest first.
func (s *sampler) samples() []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]sample{}, s.ring[s.next:]...), s.ring[:s.next]...)
}

// run samples at once and then on every tick until ctx ends.
func (s *sampler) run(ctx context.Context, tick <-chan time.Time) {
	s.sample(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			s.sample(ctx)
		}
	}
}

// point is one value of a series at a time.
type point struct {
	At time.Time
	V  float64
}

// rate turns the counter key into its rate per unit over each interval
// between two samples that both hold it. A counter that went down (the
// service restarted) counts as no change in that interval.
func rate(ss []sample, key string, per time.Duration) []point {
	var out []point
	for i := 1; i < len(ss); i++ {
		a, okA := ss[i-1].V[key]
		b, okB := ss[i].V[key]
		dt := ss[i].At.Sub(ss[i-1].At)
		if !okA || !okB || dt <= 0 {
			continue
		}
		out = append(out, point{At: ss[i].At, V: max(b-a, 0) * float64(per) / float64(dt)})
	}
	return out
}

// level is the gauge key as sampled.
func level(ss []sample, key string) []point {
	var out []point
	for _, s := range ss {
		if v, ok := s.V[key]; ok {
			out = append(out, point{At: s.At, V: v})
		}
	}
	return out
}
