package mintapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/mintapi"
	"cyclecash/ledger/storetest"
)

// fuzzPaths are the endpoints FuzzHandler posts to, by index.
var fuzzPaths = []string{
	"/v1/swap", "/v1/checkstate", "/v1/mint/quote/cu", "/v1/mint/cu", "/v1/restore",
	"/v1/cyclecash/escrow/reserve", "/v1/cyclecash/escrow/consume", "/v1/cyclecash/escrow/release",
}

// FuzzHandler sends arbitrary bodies to every POST endpoint of the mint
// through its HTTP handler. Invariants: never a 500 (no internal failure
// on bad input), always a JSON answer, every error in Cashu's shape with
// a detail, and the supply stays sound (spent never exceeds issued).
func FuzzHandler(f *testing.F) {
	fx := storetest.NewFixture(f, ledger.NewMemStore())
	in := fx.Issue(1, 2, 4)
	ks := fx.Keyset(in[0].ID)
	_, outs := fx.Outputs(ks, 4, 2, 1)
	seed := func(i int, v any) {
		b, _ := json.Marshal(v)
		f.Add(uint8(i), b)
	}
	seed(0, ledger.SwapRequest{Inputs: in, Outputs: outs})
	seed(1, mintapi.CheckStateRequest{Ys: storetest.Ys(f, in)})
	seed(2, mintapi.QuoteRequest{Amount: 5, Unit: ledger.Unit})
	seed(3, ledger.MintRequest{Quote: "00", Outputs: outs})
	seed(4, mintapi.RestoreRequest{Outputs: outs})
	seed(5, mintapi.ReserveRequest{Proofs: in})
	seed(6, mintapi.ConsumeRequest{ID: "00", Used: 1, Change: outs})
	seed(7, mintapi.ReleaseRequest{ID: "00"})
	f.Add(uint8(0), []byte(`{"inputs":[{"amount":1,"id":"01","secret":"","C":"02`+strings.Repeat("00", 32)+`"}]}`))
	h := mintapi.New(fx.Mint, mintapi.Options{Escrow: true, QuotesPerMinute: 1 << 20, QuoteBurst: 1 << 20})
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := fuzzPaths[int(which)%len(fuzzPaths)]
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", path, bytes.NewReader(body)))
		if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s: status %d for %q: %s", path, w.Code, body, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s: answer is not JSON: %q", path, w.Body)
		}
		if w.Code != http.StatusOK {
			var e mintapi.ErrorBody
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Detail == "" {
				t.Fatalf("%s: error without detail: %s", path, w.Body)
			}
		}
		rep, err := fx.Mint.Report(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range rep.Keysets {
			if k.Spent > k.Issued {
				t.Fatalf("keyset %s: spent %d > issued %d", k.ID, k.Spent, k.Issued)
			}
		}
	})
}
