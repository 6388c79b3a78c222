package dashboard

import (
	"context"
	"testing"
	"time"
)

// TestRate: a counter's rate is its growth over the intervals of the
// last minute between two samples that hold it, per unit; one that went
// down (a restart) counts as no growth, an interval missing the key is
// skipped, and growth older than the window is forgotten.
func TestRate(t *testing.T) {
	t.Parallel()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	ss := []sample{
		{at(0), map[string]float64{"c": 0}},
		{at(5), map[string]float64{"c": 50}},
		{at(15), map[string]float64{"c": 150}},
		{at(20), map[string]float64{"c": 10}}, // restarted
		{at(25), map[string]float64{}},        // not reported
		{at(30), map[string]float64{"c": 40}},
	}
	got := rate(ss, "c", time.Second)
	want := []float64{10, 10, 7.5}
	if len(got) != len(want) {
		t.Fatalf("rates %v", got)
	}
	for i, p := range got {
		if p.V != want[i] {
			t.Fatalf("rate %d = %v, want %v (all %v)", i, p.V, want[i], got)
		}
	}
	if m := rate(ss[:3], "c", time.Minute); m[1].V != 600 {
		t.Fatalf("per minute %v", m)
	}
	// 60 a second for a minute, then nothing for a minute: the rate
	// falls to 0 once the busy minute has left the window.
	var long []sample
	for i := range 25 {
		long = append(long, sample{at(5 * i), map[string]float64{"c": float64(min(i, 12) * 300)}})
	}
	r := rate(long, "c", time.Second)
	if r[11].V != 60 || r[len(r)-1].V != 0 {
		t.Fatalf("windowed rates %v", r)
	}
	// A gap longer than the window: the rate over the gap alone.
	gap := []sample{{at(0), map[string]float64{"c": 0}}, {at(5), map[string]float64{"c": 5}},
		{at(305), map[string]float64{"c": 305}}}
	if g := rate(gap, "c", time.Second); len(g) != 2 || g[1].V != 1 {
		t.Fatalf("rate over a gap %v", g)
	}
}

// TestSamplerRing: the ring keeps the last rateCount samples, oldest
// first, stamped by the injected clock.
func TestSamplerRing(t *testing.T) {
	t.Parallel()
	now := t0
	s := newSampler(func(context.Context) map[string]any { return nil }, func() time.Time { return now })
	for range rateCount + 7 {
		s.sample(context.Background())
		now = now.Add(rateEvery)
	}
	ss := s.samples()
	if len(ss) != rateCount || !ss[0].At.Equal(t0.Add(7*rateEvery)) {
		t.Fatalf("%d samples, first at %v", len(ss), ss[0].At.Sub(t0))
	}
	for i := 1; i < len(ss); i++ {
		if ss[i].At.Sub(ss[i-1].At) != rateEvery {
			t.Fatalf("sample %d out of order", i)
		}
	}
}

// TestSamplerRun: run samples at once and on each tick, and stops with
// its context.
func TestSamplerRun(t *testing.T) {
	t.Parallel()
	reads := make(chan struct{}, 10)
	s := newSampler(func(context.Context) map[string]any { reads <- struct{}{}; return nil }, func() time.Time { return t0 })
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() { s.run(ctx, tick); close(done) }()
	<-reads
	tick <- t0
	<-reads
	cancel()
	<-done
	if len(s.samples()) != 2 {
		t.Fatalf("%d samples", len(s.samples()))
	}
}
