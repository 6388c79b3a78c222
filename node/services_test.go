package node

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"cyclecash/node/buyer"
	"cyclecash/node/dashboard"
	"cyclecash/node/gateway"
	"cyclecash/node/mint"
	"cyclecash/node/service"
)

// recorder is a service that notes when it runs and closes.
type recorder struct {
	name string
	log  *eventLog
}

type eventLog struct {
	mu     sync.Mutex
	events []string
	ran    chan struct{}
}

func (l *eventLog) note(e string) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (r recorder) Run(ctx context.Context) {
	r.log.ran <- struct{}{}
	<-ctx.Done()
	r.log.note("stopped " + r.name)
}

func (r recorder) Close() error { r.log.note("closed " + r.name); return nil }

// TestServicesRunAndCloseInReverse: Run runs every service the node
// built and Close closes them in reverse order of construction, from
// n.services alone: a service added after New is run and closed with no
// other line (Run used to list its subsystems: wg.Add(5)). A gateway
// builds its gateway before its mint (the mint reads the gateway's
// capacity) and the dashboard after the services it renders.
func TestServicesRunAndCloseInReverse(t *testing.T) {
	t.Parallel()
	n, err := New(Config{DataDir: t.TempDir(), Roles: []string{"gateway"}, Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		API: "127.0.0.1:0", Ledger: LedgerConfig{HTTP: "127.0.0.1:0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := func(match func(service.Service) bool) int { return slices.IndexFunc(n.services, match) }
	g := at(func(s service.Service) bool { _, ok := s.(*gateway.Gateway); return ok })
	m := at(func(s service.Service) bool { _, ok := s.(*mint.Service); return ok })
	b := at(func(s service.Service) bool { _, ok := s.(*buyer.Buyer); return ok })
	d := at(func(s service.Service) bool { _, ok := s.(*dashboard.Page); return ok })
	if g < 0 || m < g || b < 0 || d < b {
		t.Errorf("build order: gateway %d, mint %d, buyer %d, dashboard %d", g, m, b, d)
	}
	log := &eventLog{ran: make(chan struct{}, 2)}
	n.add(recorder{"a", log})
	n.add(recorder{"b", log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	for range 2 {
		select {
		case <-log.ran:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not run a service added to n.services")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.events) != 4 || log.events[0][0] != 's' || log.events[1][0] != 's' ||
		!slices.Equal(log.events[2:], []string{"closed b", "closed a"}) {
		t.Errorf("events %q: want both stopped when Run returns, then closed b before a", log.events)
	}
}
