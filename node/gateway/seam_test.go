package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyclecash/ledger/mintapi"
	"cyclecash/node/buyer"
	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
	"cyclecash/node/work"
	"cyclecash/node/worker"
)

// seamNet is a gateway attached to an in-memory host, running.
func seamNet(t *testing.T) (*servicetest.Net, *servicetest.Host) {
	t.Helper()
	r := newCrashRig(t)
	n := &servicetest.Net{}
	gw := n.NewHost("gw", "gateway", t.TempDir())
	r.g.Attach(gw, r.mint, mintapi.New(r.mint, mintapi.Options{}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.g.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return n, gw
}

// TestWorkersReachGatewayAsConfigured: the gateway serves the work
// protocol on circuits and direct streams alike, and each worker mode
// uses only its own way: a stealth worker never opens a direct stream
// (the gateway would learn its address), an open worker never a circuit.
func TestWorkersReachGatewayAsConfigured(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{work.WorkerStealth, work.WorkerOpen} {
		n, gw := seamNet(t)
		h := n.NewHost("w-"+mode, "worker", t.TempDir())
		w, err := worker.New(h, work.Config{Mode: mode}.WithDefaults(false), worker.Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		acct, err := w.Account(context.Background())
		if err != nil || !strings.HasPrefix(acct.Worker, "w-") || len(acct.Worker) != 34 {
			t.Fatalf("%s: account %+v %v", mode, acct, err)
		}
		circ, direct := gw.Accepted("circuit:"+work.Service), gw.Accepted("direct:"+work.Protocol)
		if mode == work.WorkerStealth && (circ == 0 || direct != 0) || mode == work.WorkerOpen && (circ != 0 || direct == 0) {
			t.Errorf("%s worker: %d circuit and %d direct streams", mode, circ, direct)
		}
		f := h.Figures(context.Background())[service.FiguresWorker].(service.WorkerFigures)
		if f.Mode != mode || f.Err != "" {
			t.Errorf("%s worker figures %+v", mode, f)
		}
	}
}

// TestBuyerThroughCircuits: a job submitted on the buyer's control API
// reaches the gateway through a circuit only, and the gateway's refusal
// comes back through both hops as its sentinel's code.
func TestBuyerThroughCircuits(t *testing.T) {
	t.Parallel()
	n, gw := seamNet(t)
	h := n.NewHost("b", "relay", t.TempDir())
	buyer.New(h)
	req := buyer.JobRequest{Module: []byte("not wasm"), Inputs: [][]byte{{1}}, UnitsPerTask: 1}
	body, _ := json.Marshal(req)
	rec := httptest.NewRecorder()
	h.API.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/jobs", bytes.NewReader(body)))
	e := service.DecodeError(rec.Body.Bytes())
	if rec.Code != http.StatusBadRequest || !errors.Is(work.Sentinel(e.Code), work.ErrJob) || work.Sentinel(e.Code) != work.ErrJob {
		t.Fatalf("bad module: %d %s", rec.Code, rec.Body)
	}
	if c, d := gw.Accepted("circuit:"+work.Service), gw.Accepted("direct:"+work.Protocol); c == 0 || d != 0 {
		t.Fatalf("buyer: %d circuit and %d direct streams", c, d)
	}
	if f := gw.Figures(context.Background())[service.FiguresGateway].(service.GatewayFigures); f.Jobs != 0 {
		t.Fatalf("a refused job was counted: %+v", f)
	}
}

// TestStatementOnControlAPIs: the open worker sees its statement through
// its own node's control API (fetched from the gateway over the work
// protocol), and the operator's payout endpoint refuses a payment above
// what is owed and a malformed one, each under its sentinel's code (they
// used to go out with code 0, which decodes as no sentinel).
func TestStatementOnControlAPIs(t *testing.T) {
	t.Parallel()
	n, gw := seamNet(t)
	h := n.NewHost("w-open", "worker", t.TempDir())
	w, err := worker.New(h, work.Config{Mode: work.WorkerOpen}.WithDefaults(false), worker.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := w.Account(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.API.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/worker/statement", nil))
	var st work.Statement
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &st) != nil || st.Worker != acct.Worker || st.Owed != 0 {
		t.Fatalf("worker statement: %d %s", rec.Code, rec.Body)
	}
	body, _ := json.Marshal(work.CashPayout{ID: "bank-1", Worker: acct.Worker, Units: 1})
	rec = httptest.NewRecorder()
	gw.API.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/gateway/payout", bytes.NewReader(body)))
	if e := service.DecodeError(rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Code == 0 || e.Code != CodeOf(ErrPayoutTooMuch) ||
		!strings.Contains(e.Detail, "exceeds what is owed") {
		t.Fatalf("payout of nothing owed: %d %s, want the code of ErrPayoutTooMuch", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	gw.API.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/gateway/payout", strings.NewReader(`{"id":"bank-2","evil":1}`)))
	if e := service.DecodeError(rec.Body.Bytes()); rec.Code != http.StatusBadRequest || e.Code == 0 || e.Code != CodeOf(ErrPayoutMalformed) {
		t.Fatalf("malformed payout: %d %s, want the code of ErrPayoutMalformed", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	gw.API.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/gateway/owed", nil))
	if rec.Code != 200 || bytes.TrimSpace(rec.Body.Bytes())[0] != 'n' && bytes.TrimSpace(rec.Body.Bytes())[0] != '[' {
		t.Fatalf("owed: %d %s", rec.Code, rec.Body)
	}
}
