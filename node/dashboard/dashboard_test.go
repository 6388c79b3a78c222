package dashboard

import (
	"context"
	"testing"
	"time"

	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
)

// TestTrafficRing: the sample ring keeps the last sampleCount samples,
// oldest first.
func TestTrafficRing(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	h := n.NewHost("relay", "relay", t.TempDir())
	h.Report(service.FiguresNode, func(context.Context) any { return service.NodeFigures{Peer: "relay"} })
	m := newTrafficMeter(func() service.NodeFigures { return nodeFigures(h) })
	start := time.Now()
	for i := range sampleCount + 5 {
		m.sample(start.Add(time.Duration(i) * sampleEvery))
	}
	s := m.samples(start.Add(time.Duration(sampleCount+5) * sampleEvery))
	if len(s) != sampleCount+1 || !s[0].At.Equal(start.Add(5*sampleEvery)) {
		t.Fatalf("%d samples, first at %v", len(s), s[0].At.Sub(start))
	}
	for i := 1; i < len(s); i++ {
		if !s[i].At.After(s[i-1].At) {
			t.Fatalf("sample %d out of order", i)
		}
	}
}
