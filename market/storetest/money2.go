package storetest

import (
	"errors"
	"testing"
	"time"

	"cyclecash/market"
)

func testEscrowTimeout(t *testing.T, e *Env) {
	seller, l := e.Seller(4, 1)
	o, err := e.Market.BuyWithToken(ctx, e.Account(), market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, e.Token(4))
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(71 * time.Hour)
	if err := e.Market.Sweep(ctx); err != nil || e.Balance(seller) != 0 {
		t.Fatalf("released early: %v %d", err, e.Balance(seller))
	}
	e.Clock.Advance(2 * time.Hour)
	// A dispute after the timeout is too late, and does not undo the release.
	if err := e.Market.Dispute(ctx, o.Buyer, o.ID, "late"); !errors.Is(err, market.ErrBadState) {
		t.Fatalf("dispute after timeout: %v", err)
	}
	if e.Balance(seller) != 4 {
		t.Fatalf("seller %d after a refused late dispute, want 4", e.Balance(seller))
	}
	if err := e.Market.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Market.Order(ctx, o.ID); got.State != market.Released || e.Balance(seller) != 4 {
		t.Fatalf("after timeout: %s, seller %d", got.State, e.Balance(seller))
	}
}

func testDispute(t *testing.T, e *Env) {
	seller, l := e.Seller(4, 2)
	buyer := e.Account()
	op := e.Market.Operator()
	o, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, e.Token(4))
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Settle(ctx, o.ID, false); !errors.Is(err, market.ErrBadState) {
		t.Fatalf("settling an undisputed order: %v", err)
	}
	if err := e.Market.Dispute(ctx, e.Account(), o.ID, "x"); !errors.Is(err, market.ErrNotFound) {
		t.Fatalf("stranger disputing: %v", err)
	}
	if err := e.Market.Dispute(ctx, buyer, o.ID, "never arrived"); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(100 * time.Hour) // a dispute never times out
	if err := e.Market.Confirm(ctx, buyer, o.ID); !errors.Is(err, market.ErrBadState) {
		t.Fatalf("confirm in dispute: %v", err)
	}
	for range 2 {
		if err := op.Settle(ctx, o.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	if e.Balance(buyer) != 4 || e.Balance(seller) != 0 {
		t.Fatalf("refund: buyer %d seller %d", e.Balance(buyer), e.Balance(seller))
	}
	if err := op.Settle(ctx, o.ID, true); !errors.Is(err, market.ErrBadState) {
		t.Fatalf("release after refund: %v", err)
	}
}

func testBalancePayment(t *testing.T, e *Env) {
	seller, l := e.Seller(3, 5)
	buyer := e.Account()
	// Give the buyer a balance: a refunded order.
	o, _ := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 2, Price: l.Price}, e.Token(6))
	e.Market.Dispute(ctx, buyer, o.ID, "wrong")
	e.Market.Operator().Settle(ctx, o.ID, false)
	if _, err := e.Market.BuyWithBalance(ctx, buyer, market.Item{Listing: l.ID, Qty: 3, Price: l.Price}, "00000000000000aa"); !errors.Is(err, market.ErrInsufficient) {
		t.Fatalf("overspend: %v", err)
	}
	for range 2 { // the same form twice makes one order
		if _, err := e.Market.BuyWithBalance(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, "00000000000000bb"); err != nil {
			t.Fatal(err)
		}
	}
	if e.Balance(buyer) != 3 {
		t.Fatalf("buyer balance %d, want 3", e.Balance(buyer))
	}
	if l2, _ := e.Market.Listing(ctx, l.ID); l2.Quantity != 2 {
		t.Fatalf("quantity %d, want 2", l2.Quantity)
	}
	_ = seller
}

func testWithdraw(t *testing.T, e *Env) {
	seller, l := e.Seller(5, 3)
	buyer := e.Account()
	for range 2 {
		o, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, e.Token(5))
		if err != nil {
			t.Fatal(err)
		}
		e.Market.Confirm(ctx, buyer, o.ID)
	}
	if _, err := e.Market.Withdraw(ctx, seller, 11, "00000000000000cc"); !errors.Is(err, market.ErrInsufficient) {
		t.Fatalf("overdraw: %v", err)
	}
	if _, err := e.Market.Withdraw(ctx, buyer, 1, "00000000000000cc"); !errors.Is(err, market.ErrInsufficient) {
		t.Fatalf("buyer withdrawing escrow: %v", err)
	}
	w1, err := e.Market.Withdraw(ctx, seller, 7, "00000000000000dd")
	if err != nil {
		t.Fatal(err)
	}
	w2, err := e.Market.Withdraw(ctx, seller, 7, "00000000000000dd")
	if err != nil || w2.ID != w1.ID || e.Balance(seller) != 3 {
		t.Fatalf("repeat: %v %s %s balance %d", err, w1.ID, w2.ID, e.Balance(seller))
	}
	shown, err := e.Market.Withdrawal(ctx, seller, w1.ID)
	if err != nil || shown.Token == "" {
		t.Fatal("no token", err)
	}
	if again, _ := e.Market.Withdrawal(ctx, seller, w1.ID); again.Token != shown.Token {
		t.Fatal("token not shown again before it is claimed")
	}
	if _, err := e.Market.Withdrawal(ctx, buyer, w1.ID); err == nil {
		t.Fatal("another account sees the withdrawal")
	}
	if got, err := e.Wallet().Receive(ctx, shown.Token); err != nil || got != 7 {
		t.Fatalf("receive withdrawal: %d %v", got, err)
	}
	if after, _ := e.Market.Withdrawal(ctx, seller, w1.ID); after.Token != "" || !after.Taken || e.storeHolds(shown.Token) {
		t.Fatal("a spent withdrawal token is still kept")
	}
}

func testCashOut(t *testing.T, e *Env) {
	user := e.Account()
	op := e.Market.Operator()
	s, err := e.Market.SellForCash(ctx, user, 8, e.Token(10), "IBAN XX00 1234")
	if err != nil || s.State != market.CashOpen || s.Change == "" {
		t.Fatalf("sell: %+v %v", s, err)
	}
	if err := op.CashoutSettle(ctx, s.ID, true, "sent"); err != nil {
		t.Fatal(err)
	}
	offer, err := op.PostOffer(ctx, market.OfferInput{Price: "0.02 EUR", Min: 1, Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	big, _ := e.Market.BuyForCash(ctx, user, offer.ID, 9, "ref 1", "00000000000000e1")
	if err := op.CashoutSettle(ctx, big.ID, true, ""); !errors.Is(err, market.ErrInsufficient) {
		t.Fatalf("selling more than B holds: %v", err)
	}
	b, err := e.Market.BuyForCash(ctx, user, offer.ID, 6, "ref 2", "00000000000000e2")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := op.CashoutSettle(ctx, b.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Market.BuyForCash(ctx, user, offer.ID, 101, "", "00000000000000e3"); !errors.Is(err, market.ErrBadInput) {
		t.Fatalf("above max: %v", err)
	}
	tot, _ := op.Report(ctx)
	if tot.SoldForCash != 8 || tot.BoughtForCash != 6 || tot.Operator != 2 || e.Balance(user) != 6 {
		t.Fatalf("totals %+v, user %d", tot, e.Balance(user))
	}
	if _, err := op.Withdraw(ctx, 3, "00000000000000f1"); !errors.Is(err, market.ErrInsufficient) {
		t.Fatalf("operator overdrawing: %v", err)
	}
	w, err := op.Withdraw(ctx, 2, "00000000000000f2")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.Wallet().Receive(ctx, w.Token); err != nil || got != 2 {
		t.Fatalf("operator's token: %d %v", got, err)
	}
}

func testUnderpaid(t *testing.T, e *Env) {
	_, l := e.Seller(5, 1)
	tok := e.Token(4)
	if _, err := e.Market.BuyWithToken(ctx, e.Account(), market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok); !errors.Is(err, market.ErrUnderpaid) {
		t.Fatalf("underpaid: %v", err)
	}
	if e.Mint.Swaps.Load() != 0 || e.State(tok)[0] != "UNSPENT" {
		t.Fatal("an underpaying token was swapped")
	}
	// Refused before any swap, the token may be used again.
	if _, err := e.Market.SellForCash(ctx, e.Account(), 4, tok, "cash"); err != nil {
		t.Fatal(err)
	}
}

// testPriceRaised: the seller raises the price while the buyer is on the
// listing page; the buyer's token (worth the new price) is not taken.
func testPriceRaised(t *testing.T, e *Env) {
	seller, l := e.Seller(4, 1)
	tok := e.Token(8)
	in := market.ListingInput{Title: l.Title, Category: l.Category, Price: 8, Quantity: 1}
	if err := e.Market.EditListing(ctx, seller, l.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Market.BuyWithToken(ctx, e.Account(), market.Item{Listing: l.ID, Qty: 1, Price: 4}, tok); !errors.Is(err, market.ErrPriceChanged) {
		t.Fatalf("raised price: %v", err)
	}
	if e.State(tok)[0] != "UNSPENT" {
		t.Fatal("the token was taken at the raised price")
	}
}
