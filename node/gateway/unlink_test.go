package gateway

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"io/fs"
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
	"cyclecash/ledger/wallet"
)

// ledgerFront serves the Cashu API of whatever mint the rig runs now (it
// changes on each restart) and records every request body.
type ledgerFront struct {
	r      *crashRig
	mu     sync.Mutex
	mint   *ledger.Mint
	api    http.Handler
	bodies [][]byte
}

func (f *ledgerFront) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	if f.mint != f.r.mint {
		f.mint, f.api = f.r.mint, mintapi.New(f.r.mint, mintapi.Options{})
	}
	api := f.api
	f.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(b))
	api.ServeHTTP(w, req)
}

// TestJobPayoutUnlinkable: the gateway's operator is the attacker. A job
// runs; a stealth worker is paid its share in a quote it bought; the
// gateway dies after paying the quote and before the worker mints it, and
// the worker mints it from the restarted gateway (nothing lost). The
// payout then moves worker → buyer → a third wallet. With every request
// body its ledger received and every byte of its compute and ledger
// stores, the operator cannot tie the spent tokens to the payout: no
// payout output's blinding factor r reached it, raw or hex, and the
// payout quote was paid by a reference naming neither the job nor the
// task. The control step shows the lookup finds the link when r is known.
func TestJobPayoutUnlinkable(t *testing.T) {
	ctx := context.Background()
	ledgerPath := filepath.Join(t.TempDir(), "ledger.db")
	ls, err := boltstore.Open(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, Config{DataDir: t.TempDir()}, ls)
	front := &ledgerFront{r: r}
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	newWallet := func(name string) *wallet.Wallet {
		w, err := wallet.Create(filepath.Join(t.TempDir(), name), srv.URL, srv.Client(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	worker, buyer, other := newWallet("worker"), newWallet("buyer"), newWallet("other")

	r.submit(ctx, "job7", r.tokens(ctx, 64), 1)
	q, err := worker.Buy(ctx, 2) // the stealth worker's share of the task's 4 units
	if err != nil {
		t.Fatal(err)
	}
	task := r.acceptQuote("o-open", "s-stealth", crashFuel, q.ID)
	if err := r.g.payTask(ctx, "job7", task); err != nil {
		t.Fatal(err)
	}
	paidQuote, err := r.mint.Quote(ctx, q.ID)
	if err != nil || paidQuote.State != ledger.QuotePaid {
		t.Fatalf("payout quote %v, %v: want PAID", paidQuote.State, err)
	}
	for _, s := range []string{"job7", "s-stealth", "stealth"} {
		if bytes.Contains([]byte(paidQuote.PaidBy), []byte(s)) {
			t.Fatalf("the payout quote is paid by %q, which names %q", paidQuote.PaidBy, s)
		}
	}
	r.restart(nil) // the gateway dies between paying and the worker's mint
	if n, err := worker.Mint(ctx, q.ID); err != nil || n != 2 {
		t.Fatalf("worker's mint after the restart: %d units, %v", n, err)
	}
	paid := worker.Proofs()
	if n := storetest.Linked(t, ls, paid); n != len(paid) || n == 0 {
		t.Fatalf("control: %d of %d payout outputs found from (secret, r)", n, len(paid))
	}

	tok, err := worker.Send(ctx, 2, "")
	if err == nil {
		_, err = buyer.Receive(ctx, tok)
	}
	if err == nil {
		tok, err = buyer.Send(ctx, 1, "")
	}
	if err == nil {
		_, err = other.Receive(ctx, tok)
	}
	if err != nil {
		t.Fatal(err)
	}
	if worker.Balance() != 0 || buyer.Balance()+other.Balance() != 2 {
		t.Fatalf("balances worker %d, buyer %d, other %d", worker.Balance(), buyer.Balance(), other.Balance())
	}

	// Everything the operator holds: request bodies, the ledger file, and
	// every file of the gateway's data directory.
	r.g.Close()
	r.g = nil
	if err := ls.Close(); err != nil {
		t.Fatal(err)
	}
	front.mu.Lock()
	hay := append([][]byte(nil), front.bodies...)
	front.mu.Unlock()
	db, err := os.ReadFile(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	hay = append(hay, db)
	files := 0
	err = filepath.WalkDir(r.cfg.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		hay = append(hay, b)
		files++
		return err
	})
	if err != nil || files == 0 {
		t.Fatalf("gateway data directory: %d files, %v", files, err)
	}
	for _, p := range paid {
		rb := p.DLEQ.R[:]
		for _, h := range hay {
			if bytes.Contains(h, rb) || bytes.Contains(h, []byte(hex.EncodeToString(rb))) {
				t.Fatal("a payout output's blinding factor r reached the gateway")
			}
		}
	}
}
