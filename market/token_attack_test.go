package market_test

import (
	"context"
	"errors"
	"testing"

	"cyclecash/ledger"
	"cyclecash/market"
	"cyclecash/market/storetest"
)

// TestForgedTokens: tokens an attacker crafts are refused by the offline
// checks, before anything reaches the mint, and the listing keeps its
// stock: a broken DLEQ, a missing DLEQ, a proof repeated inside one token,
// an unknown keyset, and a token of another unit.
func TestForgedTokens(t *testing.T) {
	e := storetest.NewEnv(t, market.NewMemStore())
	ctx := context.Background()
	_, l := e.Seller(2, 1)
	buyer := e.Account()
	good := e.Token(4)
	dec, _ := ledger.DecodeToken(good)
	mutate := map[string]func(*ledger.Token){
		"bad dleq":      func(t *ledger.Token) { t.Proofs[0].DLEQ.S[31] ^= 1 },
		"no dleq":       func(t *ledger.Token) { t.Proofs[0].DLEQ = nil },
		"no r":          func(t *ledger.Token) { t.Proofs[0].DLEQ.R = nil },
		"repeated":      func(t *ledger.Token) { t.Proofs = append(t.Proofs, t.Proofs[0]) },
		"other keyset":  func(t *ledger.Token) { t.Proofs[0].ID = "01" + t.Proofs[0].ID[2:64] + "00" },
		"other unit":    func(t *ledger.Token) { t.Unit = "sat" },
		"changed value": func(t *ledger.Token) { t.Proofs[0].Amount *= 2 },
	}
	for name, fn := range mutate {
		tok := ledger.Token{Mint: dec.Mint, Unit: dec.Unit, Proofs: append([]ledger.Proof(nil), dec.Proofs...)}
		p := tok.Proofs[0]
		d := *p.DLEQ
		p.DLEQ = &d
		tok.Proofs[0] = p
		fn(&tok)
		s, err := tok.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, s); !errors.Is(err, market.ErrBadToken) {
			t.Errorf("%s: %v, want %v", name, err, market.ErrBadToken)
		}
	}
	if e.Mint.Swaps.Load() != 0 {
		t.Fatalf("%d forged tokens reached the mint", e.Mint.Swaps.Load())
	}
	if st := e.State(good); st[0] != ledger.Unspent {
		t.Fatal("the original token was spent")
	}
	if got, _ := e.Market.Listing(ctx, l.ID); got.Quantity != 1 {
		t.Fatal("stock changed")
	}
	if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, good); err != nil {
		t.Fatalf("the genuine token: %v", err)
	}
}

// TestSessions: a logged-out cookie and an expired one are worthless.
func TestSessions(t *testing.T) {
	e := storetest.NewEnv(t, market.NewMemStore())
	ctx := context.Background()
	a, _ := e.Market.CreateAccount(ctx)
	cookie, err := e.Market.Login(ctx, a.Phrase)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := e.Market.Login(ctx, a.Secret)
	if err := e.Market.Logout(ctx, cookie); err != nil {
		t.Fatal(err)
	}
	if e.Market.SessionAccount(ctx, cookie) != "" {
		t.Fatal("session alive after logout")
	}
	if e.Market.SessionAccount(ctx, other) != a.Key {
		t.Fatal("logout ended another session")
	}
	e.Clock.Advance(8 * 24 * 3600 * 1e9)
	if e.Market.SessionAccount(ctx, other) != "" {
		t.Fatal("session alive after its lifetime")
	}
}
