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

// quotePoster posts one quote request from a remote address and returns
// the status code.
func quotePoster(t *testing.T, opt Options) func(addr string) int {
	t.Helper()
	clock := storetest.Start
	now := func() time.Time { return clock }
	m, err := ledger.New(ledger.Config{Master: storetest.Master, Now: now, CapacityUnits: 3_000_000,
		MaxUnpaidQuotes: 10_000}, ledger.NewMemStore())
	if err != nil {
		t.Fatal(err)
	}
	opt.Now = now
	h := New(m, opt)
	return func(addr string) int {
		r := httptest.NewRequest("POST", "/v1/mint/quote/cu", strings.NewReader(`{"amount":1,"unit":"cu"}`))
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
}

// circuitAddr is the remote address overlay/tor's CircuitListener gives a
// connection on Tor circuit id.
func circuitAddr(id uint32) string {
	return fmt.Sprintf("[fc00:dead:beef:4dad::%x:%x]:%d", id>>16, id&0xffff, id&0xffff)
}

// The attacker is a Tor user of the gateway's onion service. It exhausts
// its circuit's bucket, which refuses no other circuit; then it opens
// circuit after circuit, which fills only the onion pool: a client known
// by its address still gets its own bucket. On the old code the flood of
// circuits filled the one map, and the new client landed in the overflow
// bucket the flood had emptied.
func TestOnionCircuitsHaveTheirOwnBuckets(t *testing.T) {
	post := quotePoster(t, Options{QuoteBurst: 2, MaxClients: 4})
	for range 2 {
		if c := post(circuitAddr(666)); c != http.StatusOK {
			t.Fatalf("circuit 666 within its burst: %d", c)
		}
	}
	if c := post(circuitAddr(666)); c != http.StatusTooManyRequests {
		t.Fatalf("circuit 666 past its burst: %d", c)
	}
	if c := post(circuitAddr(22)); c != http.StatusOK {
		t.Fatalf("circuit 22 refused after circuit 666 exhausted its bucket: %d", c)
	}
	for id := uint32(1000); id < 1020; id++ {
		post(circuitAddr(id))
	}
	if c := post(circuitAddr(5000)); c != http.StatusTooManyRequests {
		t.Fatalf("a new circuit after the flood got %d: the onion overflow should be empty", c)
	}
	if c := post("192.0.2.7:4000"); c != http.StatusOK {
		t.Fatalf("a client known by its address was refused after a circuit flood: %d", c)
	}
}
