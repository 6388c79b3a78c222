package worker

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"

	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
	"cyclecash/node/work"
)

// TestFiguresDoNotPollGateway: the dashboard samples the figures every
// few seconds and metrics are scraped at will; a worker's figures must
// not ask its gateway each time (with thousands of workers, a flood of
// account requests), but reuse the answer for accountTTL.
func TestFiguresDoNotPollGateway(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	gw := n.NewHost("gw", "gateway", t.TempDir())
	var asked atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+work.Prefix+"register", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(work.RegisterAnswer{Worker: "o-test", Token: "tok"})
	})
	mux.HandleFunc("GET "+work.Prefix+"account", func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		_ = json.NewEncoder(w).Encode(work.Account{Worker: "o-test", Credit: 7})
	})
	ln := work.NewListener()
	gw.HandleDirect(work.Protocol, ln.Put)
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })

	h := n.NewHost("w", "worker", t.TempDir())
	if _, err := New(h, work.Config{Mode: work.WorkerOpen}.WithDefaults(false), Hooks{}); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		f := h.Figures(context.Background())[service.FiguresWorker].(service.WorkerFigures)
		if f.Err != "" || f.Credit != 7 || f.Earned != 7 {
			t.Fatalf("figures %+v", f)
		}
	}
	if a := asked.Load(); a != 1 {
		t.Fatalf("6 reads of the figures asked the gateway %d times, want 1", a)
	}
}
