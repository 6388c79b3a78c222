package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/mintapi"
	"cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
	"cyclecash/node/work"
)

// fakeGateway is the gateway's side of a stealth worker's payment: it
// pays an offered quote from the credit, as node/gateway does, and lists
// the paid quotes in the account.
type fakeGateway struct {
	mint *ledger.Mint
	mu   sync.Mutex
	acct work.Account
}

func (g *fakeGateway) calls() calls {
	return calls{
		account: func(context.Context) (work.Account, error) {
			g.mu.Lock()
			defer g.mu.Unlock()
			a := g.acct
			a.Paid = slices.Clone(a.Paid)
			return a, nil
		},
		offer: func(ctx context.Context, id string) error {
			g.mu.Lock()
			defer g.mu.Unlock()
			if slices.Contains(g.acct.Paid, id) {
				return nil
			}
			q, err := g.mint.Quote(ctx, id)
			if err != nil || q.Amount > g.acct.Credit {
				return fmt.Errorf("%w: refused (%v)", work.ErrPayment, err)
			}
			if _, err := g.mint.PayQuote(ctx, id, "payout:test"); err != nil {
				return err
			}
			g.acct.Credit -= q.Amount
			g.acct.Paid = append(g.acct.Paid, id)
			return nil
		},
	}
}

// TestPaidQuoteMintedAfterRestart: the gateway pays a stealth worker's
// quote (and debits its credit), and the worker stops before minting it.
// The worker that starts again over the same wallet mints the quote: the
// units are not lost. On the old code the quotes it waited on lived only
// in memory, the credit was already 0, and the paid quote was never
// minted.
func TestPaidQuoteMintedAfterRestart(t *testing.T) {
	ctx := context.Background()
	f := storetest.NewFixture(t, ledger.NewMemStore())
	srv := httptest.NewServer(mintapi.New(f.Mint, mintapi.Options{}))
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "wallet")
	w, err := wallet.Create(dir, srv.URL, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	gw := &fakeGateway{mint: f.Mint, acct: work.Account{Worker: "s-w", Credit: 7}}
	log := slog.New(slog.DiscardHandler)
	first := newStealthPay(w, log)
	if err := first.tick(ctx, gw.calls()); err != nil {
		t.Fatal(err)
	}
	if a, _ := gw.calls().account(ctx); a.Credit != 0 || len(a.Paid) != 1 || w.Balance() != 0 {
		t.Fatalf("after the offer: account %+v, balance %d; want the quote paid and not yet minted", a, w.Balance())
	}
	// The worker stops here. It starts again over the same wallet file.
	w2, err := wallet.Open(dir, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	second := newStealthPay(w2, log)
	for range 2 {
		if err := second.tick(ctx, gw.calls()); err != nil {
			t.Fatal(err)
		}
	}
	if w2.Balance() != 7 || second.Pending() != 0 || len(w2.Quotes()) != 0 {
		t.Fatalf("after the restart: balance %d, pending %d, quotes %v; want the 7 paid units minted", w2.Balance(), second.Pending(), w2.Quotes())
	}
}

// TestRefusedQuoteForgotten: a quote the gateway refuses for good is
// dropped from the wallet, so a restart does not offer it again.
func TestRefusedQuoteForgotten(t *testing.T) {
	ctx := context.Background()
	f := storetest.NewFixture(t, ledger.NewMemStore())
	srv := httptest.NewServer(mintapi.New(f.Mint, mintapi.Options{}))
	t.Cleanup(srv.Close)
	w, err := wallet.Create(filepath.Join(t.TempDir(), "wallet"), srv.URL, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	gw := &fakeGateway{mint: f.Mint, acct: work.Account{Worker: "s-w", Credit: 5}}
	c := gw.calls()
	inner := c.offer
	c.offer = func(ctx context.Context, id string) error {
		gw.mu.Lock()
		gw.acct.Credit = 0 // the credit went (a claw-back) before the offer arrived
		gw.mu.Unlock()
		return inner(ctx, id)
	}
	p := newStealthPay(w, slog.New(slog.DiscardHandler))
	if err := p.tick(ctx, c); err != nil && !errors.Is(err, work.ErrPayment) {
		t.Fatal(err)
	}
	if p.Pending() != 0 || len(w.Quotes()) != 0 {
		t.Fatalf("refused quote kept: pending %d, wallet quotes %v", p.Pending(), w.Quotes())
	}
}
