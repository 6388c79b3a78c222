package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// host reports the figures of a gateway that also relays, with a relay
// counter; cells grow with each read.
func host(t *testing.T) *servicetest.Host {
	var n servicetest.Net
	h := n.NewHost("gw", "gateway", t.TempDir())
	reads := uint64(0)
	h.Report(service.FiguresRelay, func(context.Context) any {
		reads++
		return service.RelayFigures{Circuits: 3, Cells: 100 * reads, Bytes: 51400 * reads,
			Counters: []service.Counter{{Name: "unexpected_cells", Help: "cells refused", Value: 7},
				{Name: "Bad Name!", Help: "a reporter's mistake", Value: 1}},
			Gauges: []service.Counter{{Name: "create_queue", Help: "creations waiting", Value: 2}}}
	})
	h.Report(service.FiguresGateway, func(context.Context) any {
		return service.GatewayFigures{Jobs: 2, Tasks: 24, TasksAccepted: 20, UnitsAccepted: 20,
			Workers: service.WorkerSessions{Open: 3, Stealth: 4}, Escrow: service.Escrow{Jobs: 1, Units: 12}}
	})
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h.Report(service.FiguresLedger, func(context.Context) any {
		return service.LedgerFigures{DailyCap: 80, Outstanding: 50,
			Days: []service.LedgerDay{{Day: day, Expires: day.AddDate(0, 0, 30), Issued: 50, Outstanding: 50}}}
	})
	return h
}

// scrape serves h on a loopback listener and parses one scrape.
func scrape(t *testing.T, h service.Host) map[string]*dto.MetricFamily {
	t.Helper()
	s, err := Listen(h, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; s.Close() })
	resp, err := http.Get("http://" + s.Addr() + Path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value is the value of family name's metric with the labels given.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, typ dto.MetricType, labels ...string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric %s", name)
	}
	if f.GetType() != typ {
		t.Fatalf("%s is a %v, want %v", name, f.GetType(), typ)
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		if typ == dto.MetricType_COUNTER {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("%s has no metric with labels %v", name, labels)
	return 0
}

// TestScrape: a scrape parsed by the Prometheus text parser holds the
// figures the services report, read at scrape time, with their types.
func TestScrape(t *testing.T) {
	t.Parallel()
	fams := scrape(t, host(t))
	C, G := dto.MetricType_COUNTER, dto.MetricType_GAUGE
	checks := []struct {
		name   string
		typ    dto.MetricType
		want   float64
		labels []string
	}{
		{"cyclecash_relay_cells_total", C, 100, nil},
		{"cyclecash_relay_circuits", G, 3, nil},
		{"cyclecash_relay_unexpected_cells_total", C, 7, nil},
		{"cyclecash_relay_bad_name__total", C, 1, nil},
		{"cyclecash_relay_create_queue", G, 2, nil},
		{"cyclecash_gateway_tasks_accepted_total", C, 20, nil},
		{"cyclecash_gateway_worker_sessions", G, 4, []string{"mode", "stealth"}},
		{"cyclecash_gateway_worker_sessions", G, 3, []string{"mode", "open"}},
		{"cyclecash_gateway_escrow_units", G, 12, nil},
		{"cyclecash_ledger_daily_cap_units", G, 80, nil},
		{"cyclecash_ledger_issued_units", G, 50, []string{"day", "2026-12-01"}},
		{"cyclecash_ledger_outstanding_by_expiry_units", G, 50, []string{"expiry", "2026-12-31"}},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.typ, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// TestOwnRegistry: the scrape holds only this node's figures. The
// process's default registry (Go runtime collectors, and whatever
// libraries such as libp2p register there) is not exported; a handler on
// prometheus.DefaultGatherer fails here.
func TestOwnRegistry(t *testing.T) {
	t.Parallel()
	fams := scrape(t, host(t))
	for name := range fams {
		if !strings.HasPrefix(name, "cyclecash_") {
			t.Errorf("scrape exports %s", name)
		}
	}
}

// TestScrapeReadsNow: each scrape reads the figures anew.
func TestScrapeReadsNow(t *testing.T) {
	t.Parallel()
	h := host(t)
	read := func(ctx context.Context) map[string]any { return h.Figures(ctx) }
	for want := 100.0; want <= 200; want += 100 {
		rec := httptest.NewRecorder()
		Handler(read).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path, nil))
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
		if err != nil {
			t.Fatal(err)
		}
		if got := value(t, fams, "cyclecash_relay_cells_total", dto.MetricType_COUNTER); got != want {
			t.Fatalf("cells %v, want %v", got, want)
		}
	}
}

// TestRefusesNonLoopback: an address another host could reach is refused
// before anything is bound; loopback ones are served.
func TestRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	h := n.NewHost("n", "relay", t.TempDir())
	for _, a := range []string{"0.0.0.0:9100", ":9100", "10.0.0.1:9100", "192.168.1.2:9100", "[::]:9100",
		"[2001:db8::1]:9100", "example.com:9100", "127.0.0.1", "", "127.0.0.1:"} {
		if s, err := Listen(h, a); !errors.Is(err, ErrNotLoopback) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Listen(%q): %v, want ErrNotLoopback", a, err)
		}
	}
	for _, a := range []string{"127.0.0.1:0", "127.3.4.5:0", "[::1]:0", "localhost:0"} {
		if err := CheckAddr(a); err != nil {
			t.Errorf("CheckAddr(%q): %v", a, err)
		}
	}
	s, err := Listen(h, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ip := s.ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Fatalf("bound %v", ip)
	}
}

// FuzzCheckAddr: an accepted address names a loopback host and a port.
func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1:9100", "[::1]:1", "localhost:9", "0.0.0.0:1", ":1", "[::ffff:127.0.0.1]:5", "1.2.3.4:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckAddr(s) != nil {
			return
		}
		host, port, err := net.SplitHostPort(s)
		if err != nil || port == "" {
			t.Fatalf("accepted %q without a port", s)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			t.Fatalf("accepted %q: %q is not loopback", s, host)
		}
	})
}
