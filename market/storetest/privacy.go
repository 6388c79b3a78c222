package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/market"
)

// testUnlinkable: whoever held the buyer's token before (the wallet that
// paid it, or the mint, which sees the swap's inputs) must not be able to
// name the order it paid for, and once the claim is settled the store must
// not tie the token's Ys to the order (or so to the buyer's account).
func testUnlinkable(t *testing.T, e *Env) {
	_, l := e.Seller(3, 2)
	buyer := e.Account()
	tok := e.Token(3)
	o, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok)
	if err != nil {
		t.Fatal(err)
	}
	ys := tokenYs(t, tok)
	// The attack: derive an ID from the token alone, as the code is public.
	h := sha256.Sum256([]byte("cyclecash market claim\x00" + strings.Join(slices.Sorted(slices.Values(ys)), ",")))
	if derived := hex.EncodeToString(h[:])[:16]; derived == o.ID {
		t.Fatalf("order ID %s is derived from the token's Ys", o.ID)
	}
	err = e.Store.View(ctx, func(tx market.Tx) error {
		return tx.Scan("claimedy", "", func(k string, v []byte) error {
			if strings.Contains(string(v), o.ID) || strings.Contains(string(v), o.ID[:8]) {
				t.Errorf("claimed Y %s still names the order (%q)", k, v)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func tokenYs(t *testing.T, token string) []string {
	tok, err := ledger.DecodeToken(token)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range tok.Proofs {
		y, err := p.Y()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hex.EncodeToString(y[:]))
	}
	return out
}
