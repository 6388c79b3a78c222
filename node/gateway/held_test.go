package gateway

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

// TestPayoutHeldForLaterCap: today's supply cap is used up when a stealth
// worker offers a quote for its credit. The gateway holds the offer (the
// credit comes back, the worker is told to wait), offers nothing new to
// the mint however often the sweep runs or the worker offers again, and
// pays that same quote once a later day's cap has room; the worker's
// credit ends at 0 and the quote is listed for minting. On the old code
// the offer died, the worker bought a new quote on every tick (each held
// 30 days by the mint, so the unpaid quotes grew without bound) and none
// was paid on the later day.
func TestPayoutHeldForLaterCap(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clock := day
	r := newRig(t, Config{DataDir: t.TempDir()}, ledger.NewMemStore())
	r.now = func() time.Time { return clock }
	r.cap = 600 // a daily cap of 16 units
	r.restart(nil)
	const w = "s-held"
	if err := r.g.store.Update(func(tx compute.Tx) error {
		return putJSON(tx, tableCredits, w, work.Account{Worker: w, Credit: 5})
	}); err != nil {
		t.Fatal(err)
	}
	cash, err := r.mint.CreateQuote(ctx, 16, ledger.Unit)
	if err == nil {
		_, err = r.mint.PayQuote(ctx, cash.ID, "cash") // today's cap, all of it
	}
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.lockedQuote(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	unpaid := func() uint64 {
		n, err := r.mint.UnpaidQuotes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := unpaid()
	for range 5 { // the worker offers on every tick; the sweep runs too
		if code := r.offerQuote(w, q.ID); code != http.StatusOK {
			t.Fatalf("offer under a full cap: status %d, want 200 (held)", code)
		}
		r.g.sweep(ctx)
	}
	if got, _ := r.mint.Quote(ctx, q.ID); got.State != ledger.QuoteUnpaid {
		t.Fatalf("quote %s past today's cap", got.State)
	}
	if a := r.account(w); a.Credit != 5 || len(a.Paid) != 0 {
		t.Fatalf("account while held: %+v, want the credit back and nothing paid", a)
	}
	if n := unpaid(); n != before {
		t.Fatalf("unpaid quotes %d after holding, %d before", n, before)
	}
	clock = day.Add(24 * time.Hour)
	r.g.sweep(ctx)
	if got, _ := r.mint.Quote(ctx, q.ID); got.State != ledger.QuotePaid {
		t.Fatalf("quote %s on the next day, want PAID", got.State)
	}
	if a := r.account(w); a.Credit != 0 || !slices.Equal(a.Paid, []string{q.ID}) {
		t.Fatalf("account on the next day: %+v, want credit 0 and the quote paid", a)
	}
	if code := r.offerQuote(w, q.ID); code != http.StatusOK || r.account(w).Credit != 0 {
		t.Fatalf("offering the paid quote again: status %d, credit %d", code, r.account(w).Credit)
	}
}

// TestHeldOfferDiesWhenCreditShrinks: while a payout is held, a claw-back
// takes part of the worker's credit. The held quote is no longer covered,
// so offering it again is refused (the worker then quotes what it has),
// the credit left stays, and a later day pays nothing for it.
func TestHeldOfferDiesWhenCreditShrinks(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	clock := day
	r := newRig(t, Config{DataDir: t.TempDir()}, ledger.NewMemStore())
	r.now = func() time.Time { return clock }
	r.cap = 600
	r.restart(nil)
	const w = "s-held"
	setCredit := func(units uint64) {
		if err := r.g.store.Update(func(tx compute.Tx) error {
			return putJSON(tx, tableCredits, w, work.Account{Worker: w, Credit: units})
		}); err != nil {
			t.Fatal(err)
		}
	}
	setCredit(5)
	cash, err := r.mint.CreateQuote(ctx, 16, ledger.Unit)
	if err == nil {
		_, err = r.mint.PayQuote(ctx, cash.ID, "cash")
	}
	q, err2 := r.lockedQuote(ctx, 5)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	if code := r.offerQuote(w, q.ID); code != http.StatusOK {
		t.Fatalf("offer under a full cap: status %d, want 200 (held)", code)
	}
	setCredit(3) // a claw-back
	if code := r.offerQuote(w, q.ID); code != http.StatusConflict {
		t.Fatalf("held offer above the credit: status %d, want 409", code)
	}
	clock = day.Add(24 * time.Hour)
	r.g.sweep(ctx)
	if got, _ := r.mint.Quote(ctx, q.ID); got.State != ledger.QuoteUnpaid || r.account(w).Credit != 3 {
		t.Fatalf("quote %s, credit %d: want unpaid and 3 left", got.State, r.account(w).Credit)
	}
}
