package market_test

import (
	"context"
	"errors"
	"testing"

	"cyclecash/ledger"
	"cyclecash/market"
	"cyclecash/market/storetest"
)

// TestSellForCashAmountBounded: the API (the CLI and node call it without
// the form decoder) refuses a sell of nothing or of more than any amount
// the market handles, before the token is claimed.
func TestSellForCashAmountBounded(t *testing.T) {
	ctx := context.Background()
	e := storetest.NewEnv(t, market.NewMemStore())
	who := e.Account()
	for _, amount := range []uint64{0, 1<<40 + 1, 1 << 63} {
		tok := e.Token(3)
		if _, err := e.Market.SellForCash(ctx, who, amount, tok, "cash"); !errors.Is(err, market.ErrBadInput) {
			t.Errorf("sell of %d: %v, want %v", amount, err, market.ErrBadInput)
		}
		if st := e.State(tok); st[0] != ledger.Unspent {
			t.Errorf("sell of %d claimed the token (%v)", amount, st)
		}
	}
	if s, _, _ := e.Market.CashRequests(ctx, who); len(s) != 0 {
		t.Fatalf("%d sell requests recorded", len(s))
	}
}
