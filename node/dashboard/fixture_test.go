package dashboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
)

// fixture is a host reporting the figures of one role, with counters a
// test advances between samples taken on a fake clock.
type fixture struct {
	h    *servicetest.Host
	page *Page

	mu    sync.Mutex
	now   time.Time
	ticks uint64 // samples taken so far: the counters grow with it
}

// t0 is the fixture's start: 2026-12-01 12:00:00 UTC.
var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// roles the fixture plays: each reports what that node would.
const (
	roleGateway = "gateway"
	roleOpen    = "open-worker"
	roleStealth = "stealth-worker"
	roleRelay   = "relay"
	roleMarket  = "market"
)

func newFixture(t *testing.T, role string) *fixture {
	var n servicetest.Net
	f := &fixture{h: n.NewHost(role, role, t.TempDir()), now: t0}
	f.h.Report(service.FiguresNode, func(context.Context) any {
		return service.NodeFigures{Peer: "12D3KooWFixture" + role, Roles: []string{role}, Uptime: "1m0s"}
	})
	if role != roleStealth {
		f.h.Report(service.FiguresRelay, func(context.Context) any { return f.relay() })
	}
	switch role {
	case roleGateway:
		f.h.Report(service.FiguresGateway, func(context.Context) any { return f.gateway() })
		f.h.Report(service.FiguresLedger, func(context.Context) any { return f.ledger() })
	case roleOpen, roleStealth:
		f.h.Report(service.FiguresWorker, func(context.Context) any { return f.worker(role == roleStealth) })
	case roleMarket:
		f.h.Report(service.FiguresMarket, func(context.Context) any { return f.market() })
	}
	f.page = newPage(f.h, f.clock)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) n() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ticks
}

// advance takes k samples, rateEvery apart.
func (f *fixture) advance(k int) {
	for range k {
		f.page.rates.sample(context.Background())
		f.mu.Lock()
		f.now = f.now.Add(rateEvery)
		f.ticks++
		f.mu.Unlock()
	}
}

// counterAt is a counter after n samples that grew by per in the first two of
// every four intervals and by per/3 in the others: its rate peaks at per
// a sample.
func counterAt(n, per uint64) uint64 {
	total := uint64(0)
	for k := range n {
		if k%4 < 2 {
			total += per
		} else {
			total += per / 3
		}
	}
	return total
}

// The counters peak at 60 cells and 3 unexpected cells per sample
// (12 cells/s, 36/min), 3 tasks or orders per sample (36/min), 6 units
// earned per sample (72/min).
func (f *fixture) relay() service.RelayFigures {
	n := f.n()
	return service.RelayFigures{Circuits: 4, Cells: counterAt(n, 60), Bytes: 514 * counterAt(n, 60),
		Counters: []service.Counter{{Name: "unexpected_cells", Help: "cells refused as out of place", Value: counterAt(n, 3)}},
		Gauges:   []service.Counter{{Name: "create_queue", Help: "circuit creations waiting", Value: 2}}}
}

func (f *fixture) gateway() service.GatewayFigures {
	n := f.n()
	return service.GatewayFigures{Jobs: 1, Tasks: int(3 * n), TasksAccepted: int(counterAt(n, 3)), UnitsAccepted: 2 * n,
		Workers: service.WorkerSessions{Open: 3, Stealth: 2}, Escrow: service.Escrow{Jobs: 1, Units: 40}}
}

func (f *fixture) ledger() service.LedgerFigures {
	day := func(d int) time.Time { return t0.Truncate(24*time.Hour).AddDate(0, 0, d) }
	return service.LedgerFigures{Capacity: 3000, DailyCap: 80, TotalCap: 2400, MintedToday: 50, Outstanding: 90,
		Days: []service.LedgerDay{
			{Day: day(-1), Expires: day(29), Issued: 70, Spent: 30, Outstanding: 40},
			{Day: day(0), Expires: day(30), Issued: 50, Outstanding: 50},
		}}
}

func (f *fixture) worker(stealth bool) service.WorkerFigures {
	n := f.n()
	w := service.WorkerFigures{Mode: "open", Reported: int64(counterAt(n, 3)), Credit: counterAt(n, 6), Earned: counterAt(n, 6)}
	if stealth {
		w.Mode, w.Credit, w.Balance = "stealth", 0, counterAt(n, 6)
		w.Wallet = []service.ExpiryUnits{{Expires: t0.AddDate(0, 0, 29), Units: counterAt(n, 6) / 2},
			{Expires: t0.AddDate(0, 0, 30), Units: counterAt(n, 6) - counterAt(n, 6)/2}}
	}
	return w
}

func (f *fixture) market() service.MarketFigures {
	n := f.n()
	return service.MarketFigures{OrdersTotal: counterAt(n, 3), Orders: map[string]int{"escrow": 2, "done": int(n)},
		InEscrow: 12, CashOutQueue: 3, CashOutUnits: 30}
}

// get serves GET path from the host's control API mux.
func (f *fixture) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	f.h.API.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec
}
