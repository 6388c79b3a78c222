package mintapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"
)

// The attacker: anyone who can reach the Cashu API, creating quotes for
// free from as many addresses as it likes. 100,000 requests leave the
// store and the limiter bounded, a single client gets its burst only, and
// once the quotes expire they are pruned and new ones accepted.
func TestQuoteFloodBounded(t *testing.T) {
	st := ledger.NewMemStore()
	clock := storetest.Start
	now := func() time.Time { return clock }
	m, err := ledger.New(ledger.Config{Master: storetest.Master, Now: now, CapacityUnits: 3_000_000,
		MaxUnpaidQuotes: 2000}, st)
	if err != nil {
		t.Fatal(err)
	}
	h := New(m, Options{Now: now, MaxClients: 4096})
	post := func(addr string) int {
		r := httptest.NewRequest("POST", "/v1/mint/quote/cu", strings.NewReader(`{"amount":1,"unit":"cu"}`))
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	ok := 0
	for range 1000 {
		if post("192.0.2.1:1") == http.StatusOK {
			ok++
		}
	}
	if ok != DefaultQuoteBurst {
		t.Fatalf("one client created %d quotes in a burst, want %d", ok, DefaultQuoteBurst)
	}
	codes := map[int]int{}
	for i := range 100_000 {
		codes[post(fmt.Sprintf("10.%d.%d.%d:443", i>>16, (i>>8)&255, i&255))]++
	}
	if codes[http.StatusOK] == 0 || codes[http.StatusTooManyRequests] == 0 || len(codes) != 2 {
		t.Fatalf("answers %v", codes)
	}
	if codes[http.StatusOK] != 2000-DefaultQuoteBurst {
		t.Fatalf("%d quotes created in the flood, want the cap's remaining %d", codes[http.StatusOK], 2000-DefaultQuoteBurst)
	}
	if n := st.Sizes()["quotes"]; n > 2000 {
		t.Fatalf("the store holds %d quotes after the flood, cap 2000", n)
	}
	if n := h.quotes.size(); n > 4096 {
		t.Fatalf("the limiter tracks %d clients, cap 4096", n)
	}
	clock = clock.Add(25 * time.Hour) // every quote expired (TTL 24 h)
	if code := post("198.51.100.7:1"); code != http.StatusOK {
		t.Fatalf("a quote after the flood expired: %d", code)
	}
	if n := st.Sizes()["quotes"]; n != 1 {
		t.Fatalf("%d quotes left after pruning, want 1", n)
	}
}
