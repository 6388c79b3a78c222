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

// rateWindow is what a rate averages over, like Prometheus' rate(x[1m]):
// a figure that changes in steps (a worker's credit is asked of the
// gateway at most every 30 s) still gives an even rate.
const rateWindow = time.Minute

// rate turns the counter key into its rate per unit: at each sample, the
// growth over the intervals of the last rateWindow that both ends hold
// the key, divided by their length. A counter that went down (the service
// restarted) counts as no growth in that interval.
func rate(ss []sample, key string, per time.Duration) []point {
	type step struct {
		at    time.Time
		grown float64
		dt    time.Duration
	}
	var steps []step
	for i := 1; i < len(ss); i++ {
		a, okA := ss[i-1].V[key]
		b, okB := ss[i].V[key]
		if dt := ss[i].At.Sub(ss[i-1].At); okA && okB && dt > 0 {
			steps = append(steps, step{ss[i].At, max(b-a, 0), dt})
		}
	}
	out := make([]point, 0, len(steps))
	from := 0
	var grown float64
	var dt time.Duration
	for i, s := range steps {
		grown, dt = grown+s.grown, dt+s.dt
		// drop the oldest intervals that began before the window; the
		// newest one stays, however long (a gap in the samples).
		for from < i && s.at.Sub(steps[from].at.Add(-steps[from].dt)) > rateWindow {
			grown, dt = grown-steps[from].grown, dt-steps[from].dt
			from++
		}
		out = append(out, point{At: s.at, V: grown * float64(per) / float64(dt)})
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
