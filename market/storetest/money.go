package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/market"
)

var ctx = context.Background()

func testPurchase(t *testing.T, e *Env) {
	seller, l := e.Seller(5, 2)
	buyer := e.Account()
	tok := e.Token(7)
	o, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok)
	if err != nil {
		t.Fatal(err)
	}
	if o.State != market.Escrow || o.Amount != 5 || o.Change == "" {
		t.Fatalf("order %+v", o)
	}
	if st := e.State(tok); st[0] != ledger.Spent {
		t.Fatalf("buyer's token %v after purchase, want SPENT", st)
	}
	// The change is a real token worth 2 that another wallet receives.
	if got, err := e.Wallet().Receive(ctx, o.Change); err != nil || got != 2 {
		t.Fatalf("change: %d %v", got, err)
	}
	if err := e.Market.Confirm(ctx, seller, o.ID); !errors.Is(err, market.ErrNotFound) {
		t.Fatalf("seller confirming: %v", err)
	}
	if e.Balance(seller) != 0 {
		t.Fatal("seller credited before confirmation")
	}
	for range 2 { // idempotent
		if err := e.Market.Confirm(ctx, buyer, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	if b := e.Balance(seller); b != 5 {
		t.Fatalf("seller balance %d, want 5", b)
	}
	if l2, _ := e.Market.Listing(ctx, l.ID); l2.Quantity != 1 {
		t.Fatalf("quantity %d, want 1", l2.Quantity)
	}
}

func testTokenTwice(t *testing.T, e *Env) {
	_, l := e.Seller(3, 5)
	buyer := e.Account()
	tok := e.Token(3)
	if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok); err != nil {
		t.Fatal(err)
	}
	swaps := e.Mint.Swaps.Load()
	_, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok)
	if !errors.Is(err, market.ErrTokenUsed) {
		t.Fatalf("same token again: %v, want %v", err, market.ErrTokenUsed)
	}
	if e.Mint.Swaps.Load() != swaps {
		t.Fatal("a reused token was sent to the mint")
	}
	// A token spent elsewhere (never seen here) is refused by the mint.
	w := e.Wallet()
	e.Fund(w, 3)
	tok2, _ := w.Send(ctx, 3, "")
	if _, err := e.Wallet().Receive(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok2); !errors.Is(err, market.ErrTokenSpent) {
		t.Fatalf("spent token: %v", err)
	}
	if l2, _ := e.Market.Listing(ctx, l.ID); l2.Quantity != 4 {
		t.Fatalf("quantity %d after a refused token, want 4", l2.Quantity)
	}
}

// testCrashAcrossSwap: the mint performs the swap but the market dies
// before committing. A restarted market replays the persisted request and
// gets the units; the order appears then, not before.
func testCrashAcrossSwap(t *testing.T, e *Env) {
	_, l := e.Seller(4, 1)
	buyer := e.Account()
	tok := e.Token(6)
	e.Mint.CrashAfterSwap.Store(true)
	if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok); !errors.Is(err, market.ErrMintDown) {
		t.Fatalf("crashed purchase: %v", err)
	}
	if st := e.State(tok); st[0] != ledger.Spent {
		t.Fatal("the mint did not swap")
	}
	if os, _ := e.Market.Orders(ctx, buyer); len(os) != 0 {
		t.Fatal("order exists before its swap was committed")
	}
	e.Mint.CrashAfterSwap.Store(false)
	restarted := e.NewMarket()
	if n, err := restarted.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("recover within the grace period: %d %v", n, err)
	}
	e.Clock.Advance(3 * time.Minute)
	if n, err := restarted.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("recover: %d %v", n, err)
	}
	os, _ := restarted.Orders(ctx, buyer)
	if len(os) != 1 || os[0].Amount != 4 || os[0].Change == "" {
		t.Fatalf("orders after recovery: %+v", os)
	}
	if got, err := e.Wallet().Receive(ctx, os[0].Change); err != nil || got != 2 {
		t.Fatalf("change after recovery: %d %v", got, err)
	}
	if n, _ := restarted.Recover(ctx); n != 0 {
		t.Fatal("a finished claim was replayed again")
	}
}

func testMintDown(t *testing.T, e *Env) {
	_, l := e.Seller(2, 1)
	buyer := e.Account()
	tok := e.Token(2)
	e.Mint.Down.Store(true)
	if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok); !errors.Is(err, market.ErrMintDown) {
		t.Fatalf("mint down: %v", err)
	}
	e.Clock.Advance(3 * time.Minute)
	if _, err := e.Market.Recover(ctx); !errors.Is(err, market.ErrMintDown) {
		t.Fatalf("recover while down: %v", err)
	}
	e.Mint.Down.Store(false)
	if err := e.Market.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if os, _ := e.Market.Orders(ctx, buyer); len(os) != 1 {
		t.Fatalf("orders after the mint came back: %d", len(os))
	}
}

// testLastItemRace: two buyers race for the last item; one order, and the
// loser's token is never sent to the mint.
func testLastItemRace(t *testing.T, e *Env) {
	_, l := e.Seller(3, 1)
	toks := []string{e.Token(3), e.Token(3)}
	buyers := []string{e.Account(), e.Account()}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = e.NewMarket().BuyWithToken(ctx, buyers[i], market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, toks[i])
		})
	}
	wg.Wait()
	ok, spent := 0, 0
	for i := range 2 {
		if errs[i] == nil {
			ok++
		} else if !errors.Is(errs[i], market.ErrSoldOut) {
			t.Fatalf("loser: %v", errs[i])
		}
		if e.State(toks[i])[0] == ledger.Spent {
			spent++
		}
	}
	if ok != 1 || spent != 1 {
		t.Fatalf("%d orders, %d tokens spent; want 1, 1", ok, spent)
	}
}

// testSameTokenRace: one token submitted at once to two front-ends.
func testSameTokenRace(t *testing.T, e *Env) {
	_, l := e.Seller(3, 10)
	buyer := e.Account()
	tok := e.Token(3)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = e.NewMarket().BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok)
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("results %v, %v: want exactly one order", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, market.ErrTokenUsed) {
			t.Fatalf("loser: %v", err)
		}
	}
	if os, _ := e.Market.Orders(ctx, buyer); len(os) != 1 {
		t.Fatalf("%d orders", len(os))
	}
}
