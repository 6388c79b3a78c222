package storetest

import (
	"bytes"
	"testing"

	"cyclecash/market"
)

// storeHolds reports whether any record of the store holds s.
func (e *Env) storeHolds(s string) bool {
	e.T.Helper()
	found := false
	err := e.Store.View(ctx, func(tx market.Tx) error {
		for _, b := range []string{"order", "sell", "withdraw", "claim"} {
			err := tx.Scan(b, "", func(_ string, v []byte) error {
				found = found || bytes.Contains(v, []byte(s))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return found
}

// testChangePruned: an order's change stays on the order page until the
// buyer has claimed it, and is then erased by the sweep, not kept forever
// (a stolen database must not hold every buyer's past change, and a store
// must not grow with dead tokens).
func testChangePruned(t *testing.T, e *Env) {
	_, l := e.Seller(5, 2)
	buyer := e.Account()
	kept, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: 5}, e.Token(7))
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: 5}, e.Token(6))
	if err != nil || claimed.Change == "" || kept.Change == "" {
		t.Fatalf("no change: %v", err)
	}
	if got, err := e.Wallet().Receive(ctx, claimed.Change); err != nil || got != 1 {
		t.Fatalf("receive change: %d %v", got, err)
	}
	if err := e.Market.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if e.storeHolds(claimed.Change) {
		t.Error("a claimed change token is still stored after the sweep")
	}
	sell, err := e.Market.SellForCash(ctx, buyer, 3, e.Token(4), "IBAN XX00 1")
	if err != nil || sell.Change == "" {
		t.Fatalf("sell for cash: %v", err)
	}
	if got, err := e.Wallet().Receive(ctx, sell.Change); err != nil || got != 1 {
		t.Fatalf("receive sell change: %d %v", got, err)
	}
	if err := e.Market.Sweep(ctx); err != nil || e.storeHolds(sell.Change) {
		t.Errorf("a claimed sell-for-cash change is still stored after the sweep (%v)", err)
	}
	o, err := e.Market.OrderFor(ctx, buyer, kept.ID)
	if err != nil || o.Change != kept.Change {
		t.Fatalf("an unclaimed change token was dropped: %v", err)
	}
}
