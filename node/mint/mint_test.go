package mint

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
)

// TestStart: the mint reads Ĉ through the function node passes it (the
// gateway's meter), never the configured floor alone; its operator
// endpoints are on the control API; a bad ledger.http fails the start and
// releases the store.
func TestStart(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	dir := t.TempDir()
	h := n.NewHost("gw", "gateway", dir)
	if _, err := Start(h, Config{HTTP: "nonsense"}, nil); err == nil || !strings.Contains(err.Error(), "node: ledger.http:") {
		t.Fatalf("bad ledger.http: %v", err)
	}
	measured := func(time.Time) uint64 { return 6_000_000 }
	s, err := Start(n.NewHost("gw2", "gateway", dir), Config{HTTP: "127.0.0.1:0", Capacity: 3_000_000}, measured)
	if err != nil {
		t.Fatal(err) // the failed start left the store locked
	}
	defer s.Close()
	if s.Addr() == "" {
		t.Fatal("ledger.http not bound")
	}
	if got := s.Mint().ChangeToken(nil, "").Mint; got != "http://"+s.Addr() {
		t.Fatalf("change token names mint %q, want http://%s", got, s.Addr())
	}
	r, err := s.Report(context.Background())
	if err != nil || r.Capacity != 6_000_000 {
		t.Fatalf("report %+v %v: want Ĉ from the meter", r, err)
	}
}

// TestOperatorEndpoints: the report and keysets answer on the control
// API; a malformed payment request is refused with a message and
// ledger.ErrBadRequest's code (it used to go out with code 0).
func TestOperatorEndpoints(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	h := n.NewHost("gw", "gateway", t.TempDir())
	s, err := Start(h, Config{Capacity: 3_000_000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := httptest.NewRecorder()
	h.API.ServeHTTP(w, httptest.NewRequest("GET", "/v1/ledger/report", nil))
	var r Report
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &r) != nil || r.DailyCap != 80_000 {
		t.Fatalf("report: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.API.ServeHTTP(w, httptest.NewRequest("POST", "/v1/ledger/quote/pay", strings.NewReader(`{"quote":""}`)))
	if e := service.DecodeError(w.Body.Bytes()); w.Code != 400 || !strings.Contains(e.Detail, "malformed request") || e.Code == 0 || e.Code != CodeOf(ledger.ErrBadRequest) {
		t.Fatalf("empty quote: %d %s", w.Code, w.Body)
	}
}

// TestMintURLWildcard: a ledger.http on a wildcard address names no host
// a wallet could reach, so change tokens carry no URL rather than a wrong
// one.
func TestMintURLWildcard(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("no wildcard listener here:", err)
	}
	defer ln.Close()
	if got := mintURL(ln); got != "" {
		t.Fatalf("wildcard ledger.http gives mint URL %q", got)
	}
	if got := mintURL(nil); got != "" {
		t.Fatalf("no ledger.http gives mint URL %q", got)
	}
}
