package wallet_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/mintapi"
	"cyclecash/ledger/storetest"
)

// The gateway's operator is the attacker: with every request body the
// mint received and its whole store, can it tie a spent token to the quote
// (a worker's payout) that issued it? Only through r: B_ = Y + r·G is the
// blinded message it signed for the quote. The wallet sends inputs without
// their DLEQ (NUT-12), so r never reaches the gateway.
func TestSpendUnlinkableToPayout(t *testing.T) {
	for _, name := range []string{"memstore", "bbolt"} {
		t.Run(name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "gw.db")
			var st ledger.Store = ledger.NewMemStore()
			if name == "bbolt" {
				b, err := boltstore.Open(dbPath)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { b.Close() })
				st = b
			}
			checkUnlinkable(t, st, dbPath, name == "bbolt")
		})
	}
}

type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	next   http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, b)
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(b))
	r.next.ServeHTTP(w, req)
}

func checkUnlinkable(t *testing.T, st ledger.Store, dbPath string, onDisk bool) {
	ctx := context.Background()
	f := storetest.NewFixture(t, st)
	rec := &recorder{next: mintapi.New(f.Mint, mintapi.Options{})}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	e := &env{f, srv}
	worker, buyer, other := e.wallet(t), e.wallet(t), e.wallet(t)

	// The payout: a quote paid by the gateway for a job's task.
	q, err := worker.Buy(ctx, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Mint.PayQuote(ctx, q.ID, "payout:job1/0"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.Mint(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	paid := worker.Proofs()

	// Control: with r, the operator finds the quote's blinded messages in
	// its store, so the check below can see a link when there is one.
	if n := storetest.Linked(t, st, paid); n != len(paid) {
		t.Fatalf("control: %d of %d payout outputs found from (secret, r)", n, len(paid))
	}

	// The payout moves: worker -> buyer (a swap splitting it), buyer spends
	// part on to another wallet.
	tok, err := worker.Send(ctx, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := buyer.Receive(ctx, tok); err != nil {
		t.Fatal(err)
	}
	tok, err = buyer.Send(ctx, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Receive(ctx, tok); err != nil {
		t.Fatal(err)
	}

	// Attack 1: every (secret, r) in any request body, blinded, looked up.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var seen []pair
	for _, b := range rec.bodies {
		seen = append(seen, pairsInJSON(b)...)
	}
	if len(seen) > 0 {
		t.Fatalf("the gateway received %d blinding factors r with inputs", len(seen))
	}
	// Attack 2: the payout's r values anywhere in what the gateway saw or
	// stored.
	var hay [][]byte
	hay = append(hay, rec.bodies...)
	if onDisk {
		st.Close()
		db, err := os.ReadFile(dbPath)
		if err != nil {
			t.Fatal(err)
		}
		hay = append(hay, db)
	}
	for _, p := range paid {
		r := p.DLEQ.R[:]
		for _, h := range hay {
			if bytes.Contains(h, r) || bytes.Contains(h, []byte(hex.EncodeToString(r))) {
				t.Fatal("a payout proof's blinding factor r reached the gateway")
			}
		}
	}
}

type pair struct {
	secret string
	r      ledger.Scalar
}

func pairsOf(ps []ledger.Proof) []pair {
	var out []pair
	for _, p := range ps {
		if p.DLEQ != nil && p.DLEQ.R != nil {
			out = append(out, pair{p.Secret, *p.DLEQ.R})
		}
	}
	return out
}

// pairsInJSON finds every proof-shaped object with a DLEQ r in a body.
func pairsInJSON(b []byte) []pair {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	var out []pair
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			var p ledger.Proof
			if raw, err := json.Marshal(x); err == nil && json.Unmarshal(raw, &p) == nil && p.Secret != "" {
				out = append(out, pairsOf([]ledger.Proof{p})...)
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
