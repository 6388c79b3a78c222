package mintapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/mintapi"
	"cyclecash/ledger/storetest"
)

func newServer(t *testing.T) (*storetest.Fixture, *httptest.Server) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := storetest.NewFixture(t, st)
	srv := httptest.NewServer(mintapi.New(f.Mint, mintapi.Options{MaxBody: 64 << 10, Escrow: true}))
	t.Cleanup(srv.Close)
	return f, srv
}

func post(t *testing.T, url string, body []byte, out any) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestSwapOverHTTP(t *testing.T) {
	f, srv := newServer(t)
	in := f.Issue(4)
	blanks, outs := f.Outputs(f.Keyset(in[0].ID), 2, 2)
	body, _ := json.Marshal(ledger.SwapRequest{Inputs: in, Outputs: outs})
	var sigs ledger.Signatures
	if code := post(t, srv.URL+"/v1/swap", body, &sigs); code != 200 {
		t.Fatalf("status %d", code)
	}
	f.Unblind(f.Keyset(in[0].ID), blanks, sigs.Signatures)
	_, outs = f.Outputs(f.Keyset(in[0].ID), 2, 2)
	body, _ = json.Marshal(ledger.SwapRequest{Inputs: in, Outputs: outs})
	var e mintapi.ErrorBody
	if code := post(t, srv.URL+"/v1/swap", body, &e); code != 400 || e.Code != 11001 {
		t.Fatalf("double spend: %d %+v", code, e)
	}
	ys := storetest.Ys(t, in)
	body, _ = json.Marshal(mintapi.CheckStateRequest{Ys: ys})
	var st mintapi.CheckStateResponse
	if post(t, srv.URL+"/v1/checkstate", body, &st); st.States[0].State != ledger.Spent {
		t.Fatalf("state %+v", st)
	}
}

func TestBadRequests(t *testing.T) {
	_, srv := newServer(t)
	for _, tc := range []struct {
		name, path, body string
		status, code     int
	}{
		{"junk", "/v1/swap", "{not json", 400, 0},
		{"trailing", "/v1/checkstate", `{"Ys":[]} {}`, 400, 0},
		{"bad point hex", "/v1/checkstate", `{"Ys":["zz"]}`, 400, 0},
		{"oversized", "/v1/swap", `{"inputs":"` + strings.Repeat("a", 70<<10) + `"}`, 413, 11014},
		{"unit", "/v1/mint/quote/cu", `{"amount":1,"unit":"sat"}`, 400, 11013},
		{"unknown escrow", "/v1/cyclecash/escrow/release", `{"id":"nope"}`, 404, 0},
		{"unknown quote", "/v1/mint/cu", `{"quote":"nope","outputs":[]}`, 404, 0},
		{"too many outputs", "/v1/swap", tooManyOutputs(), 400, 11015},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e mintapi.ErrorBody
			if code := post(t, srv.URL+tc.path, []byte(tc.body), &e); code != tc.status || e.Code != tc.code || e.Detail == "" {
				t.Fatalf("got %d %+v", code, e)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	_, srv := newServer(t)
	var keys mintapi.KeysResponse
	resp, err := http.Get(srv.URL + "/v1/keys")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&keys)
	resp.Body.Close()
	k := keys.Keysets[0]
	if len(k.Keys) != ledger.MaxOrder || k.Unit != "cu" {
		t.Fatalf("keys %+v", k)
	}
	byAmount := map[uint64]ledger.Point{}
	for a, p := range k.Keys {
		var n uint64
		json.Unmarshal([]byte(a), &n)
		byAmount[n] = p
	}
	if id := ledger.DeriveKeysetID(byAmount, k.Unit, 0, k.FinalExpiry); id != k.ID {
		t.Fatalf("id %s does not commit to the keys (%s)", k.ID, id)
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"inputs":[{"amount":1,"id":"01ab","secret":"s","C":"02` + strings.Repeat("00", 32) + `"}],"outputs":[]}`))
	f.Add([]byte(`{"Ys":["02` + strings.Repeat("11", 32) + `"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req ledger.SwapRequest
		if mintapi.ParseRequest(b, &req) != nil {
			return
		}
		again, _ := json.Marshal(req)
		var req2 ledger.SwapRequest
		if err := mintapi.ParseRequest(again, &req2); err != nil || !reflect.DeepEqual(normalize(req), normalize(req2)) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// normalize maps nil and empty slices alike.
func normalize(r ledger.SwapRequest) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// tooManyOutputs is a swap with one input and 257 outputs (MaxIO 256).
func tooManyOutputs() string {
	in := `{"amount":1,"id":"01` + strings.Repeat("ab", 32) + `","secret":"s","C":"02` + strings.Repeat("00", 32) + `"}`
	out := `{"amount":1,"id":"01` + strings.Repeat("ab", 32) + `","B_":"02` + strings.Repeat("00", 32) + `"}`
	return `{"inputs":[` + in + `],"outputs":[` + strings.Repeat(out+",", 256) + out + `]}`
}
