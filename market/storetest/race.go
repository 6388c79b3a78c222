package storetest

import (
	"errors"
	"sync"
	"testing"

	"cyclecash/market"
)

// testSpendRace: an account spends its whole balance three ways at once
// on three front-ends (two withdrawals, a purchase from the balance);
// exactly one may succeed, the others see ErrInsufficient.
func testSpendRace(t *testing.T, e *Env) {
	seller, l := e.Seller(5, 1)
	buyer := e.Account()
	o, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: 5}, e.Token(5))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Market.Confirm(ctx, buyer, o.ID); err != nil {
		t.Fatal(err)
	}
	_, l2 := e.Seller(5, 1)
	ms := []*market.Market{e.NewMarket(), e.NewMarket(), e.NewMarket()}
	errs := make([]error, 3)
	var wg sync.WaitGroup
	wg.Go(func() { _, errs[0] = ms[0].Withdraw(ctx, seller, 5, "aaaaaaaaaaaaaaaa") })
	wg.Go(func() { _, errs[1] = ms[1].Withdraw(ctx, seller, 5, "bbbbbbbbbbbbbbbb") })
	wg.Go(func() {
		_, errs[2] = ms[2].BuyWithBalance(ctx, seller, market.Item{Listing: l2.ID, Qty: 1, Price: 5}, "cccccccccccccccc")
	})
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, market.ErrInsufficient):
			t.Fatalf("loser: %v", err)
		}
	}
	if won != 1 || e.Balance(seller) != 0 {
		t.Fatalf("%d of 3 spends of one balance succeeded (%v), balance %d", won, errs, e.Balance(seller))
	}
}

// testSettleRace: two operators on two front-ends decide one dispute
// opposite ways at once; the units go to exactly one side.
func testSettleRace(t *testing.T, e *Env) {
	seller, l := e.Seller(4, 1)
	buyer := e.Account()
	o, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: 4}, e.Token(4))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Market.Dispute(ctx, seller, o.ID, "no answer"); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		m := e.NewMarket()
		wg.Go(func() { errs[i] = m.Operator().Settle(ctx, o.ID, i == 0) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("release %v, refund %v: want exactly one", errs[0], errs[1])
	}
	if got := e.Balance(seller) + e.Balance(buyer); got != 4 {
		t.Fatalf("seller %d + buyer %d, want 4 in all", e.Balance(seller), e.Balance(buyer))
	}
}
