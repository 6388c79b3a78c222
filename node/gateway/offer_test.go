package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

// offerQuote posts an offer of quote as worker (a stealth session if its
// name starts with "s-") and returns the status.
func (r *crashRig) offerQuote(worker, quote string) int {
	body, _ := json.Marshal(work.OfferRequest{Quote: quote})
	rec := httptest.NewRecorder()
	mode := work.WorkerOpen
	if strings.HasPrefix(worker, "s-") {
		mode = work.WorkerStealth
	}
	req := httptest.NewRequest("POST", "/"+work.Prefix+"offer", bytes.NewReader(body))
	r.g.handleOffer(rec, req.WithContext(context.WithValue(req.Context(), modeKey{}, mode)), worker)
	return rec.Code
}

// A stealth worker claiming more than its credit is refused and the
// credit stays; a claim of exactly the credit is paid once, however often
// it is offered; an open worker cannot claim in tokens.
func TestOfferPaysOnlyTheCredit(t *testing.T) {
	ctx := context.Background()
	r := newCrashRig(t)
	const w = "s-claimer"
	if err := r.g.store.Update(func(tx compute.Tx) error {
		return putJSON(tx, tableCredits, w, work.Account{Worker: w, Credit: 5})
	}); err != nil {
		t.Fatal(err)
	}
	quote := func(amount uint64) string {
		q, err := r.lockedQuote(ctx, amount)
		if err != nil {
			t.Fatal(err)
		}
		return q.ID
	}
	greedy := quote(6)
	if code := r.offerQuote(w, greedy); code != http.StatusConflict {
		t.Fatalf("offer above the credit: status %d, want 409", code)
	}
	if q, _ := r.mint.Quote(ctx, greedy); q.State != ledger.QuoteUnpaid || r.account(w).Credit != 5 {
		t.Fatalf("greedy quote %v, credit %d: want unpaid, 5", q.State, r.account(w).Credit)
	}
	if code := r.offerQuote(w, greedy); code != http.StatusConflict {
		t.Fatalf("refused offer again: status %d, want 409", code)
	}
	fair := quote(5)
	for range 2 {
		if code := r.offerQuote(w, fair); code != http.StatusOK {
			t.Fatalf("offer of the credit: status %d", code)
		}
	}
	acct := r.account(w)
	if q, _ := r.mint.Quote(ctx, fair); q.State == ledger.QuoteUnpaid || acct.Credit != 0 || !slices.Equal(acct.Paid, []string{fair}) {
		t.Fatalf("fair quote %v, account %+v: want paid once, credit 0", q.State, acct)
	}
	if code := r.offerQuote("o-open", quote(1)); code != http.StatusConflict {
		t.Fatalf("open worker's offer: status %d, want 409", code)
	}
}

// TestOfferUnlockedRefused: the attacker has seen a stealth worker's
// payout quote ID (it is in the worker's and the gateway's records, and
// in every GET of the quote). Were the gateway to pay an unlocked quote,
// the attacker could mint the payout; it pays only quotes locked to a key
// (NUT-20), so the ID alone mints nothing, and an unlocked offer is
// refused with the credit kept.
func TestOfferUnlockedRefused(t *testing.T) {
	ctx := context.Background()
	r := newCrashRig(t)
	const w = "s-claimer"
	if err := r.g.store.Update(func(tx compute.Tx) error {
		return putJSON(tx, tableCredits, w, work.Account{Worker: w, Credit: 5})
	}); err != nil {
		t.Fatal(err)
	}
	open, err := r.mint.CreateQuote(ctx, 5, ledger.Unit)
	if err != nil {
		t.Fatal(err)
	}
	if code := r.offerQuote(w, open.ID); code != http.StatusConflict {
		t.Fatalf("unlocked offer: status %d, want 409", code)
	}
	if q, _ := r.mint.Quote(ctx, open.ID); q.State != ledger.QuoteUnpaid || r.account(w).Credit != 5 {
		t.Fatalf("unlocked quote %v, credit %d: want unpaid, 5", q.State, r.account(w).Credit)
	}
	locked, err := r.lockedQuote(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if code := r.offerQuote(w, locked.ID); code != http.StatusOK {
		t.Fatalf("locked offer: status %d", code)
	}
	ks, _ := r.mint.ActiveKeyset()
	plan, _ := newPlan(ks.ID, 5, 0)
	if _, err := r.mint.MintTokens(ctx, ledger.MintRequest{Quote: locked.ID, Outputs: plan.Outputs}); !errors.Is(err, ledger.ErrQuoteSignature) {
		t.Fatalf("minting the paid payout by its ID alone: %v, want ledger.ErrQuoteSignature", err)
	}
}
