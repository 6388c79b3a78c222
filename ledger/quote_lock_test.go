package ledger_test

import (
	"context"
	"errors"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Someone who learns a payout's quote ID (the worker's quote, seen by the
// gateway or on the way) cannot mint it: the quote is locked to the
// worker's key (NUT-20), and only a request signed by it mints.
func TestLockedQuoteNeedsOwnersSignature(t *testing.T) {
	ctx := context.Background()
	f := storetest.NewFixture(t, ledger.NewMemStore())
	var owner, thief secp256k1.ModNScalar
	owner.SetInt(424242)
	thief.SetInt(777)
	pub := ledger.PointOf(secp256k1.NewPrivateKey(&owner).PubKey())
	q, err := f.Mint.CreateLockedQuote(ctx, 3, ledger.Unit, &pub)
	if err != nil || q.Pubkey == nil || *q.Pubkey != pub {
		t.Fatalf("locked quote: %+v %v", q, err)
	}
	if _, err := f.Mint.PayQuote(ctx, q.ID, "payout:x"); err != nil {
		t.Fatal(err)
	}
	ks, _ := f.Mint.ActiveKeyset()
	_, outs := f.Outputs(ks, 2, 1)
	req := ledger.MintRequest{Quote: q.ID, Outputs: outs}
	if _, err := f.Mint.MintTokens(ctx, req); !errors.Is(err, ledger.ErrQuoteSignature) || ledger.ErrorCode(err) != 20008 {
		t.Fatalf("unsigned mint of a locked quote: %v", err)
	}
	ledger.SignMintRequest(&req, &thief, [32]byte{1})
	if _, err := f.Mint.MintTokens(ctx, req); !errors.Is(err, ledger.ErrQuoteSignature) {
		t.Fatalf("mint signed by another key: %v", err)
	}
	signed := req
	ledger.SignMintRequest(&signed, &owner, [32]byte{2})
	stolen := signed
	_, stolen.Outputs = f.Outputs(ks, 2, 1) // the owner's signature on other outputs
	if _, err := f.Mint.MintTokens(ctx, stolen); !errors.Is(err, ledger.ErrQuoteSignature) {
		t.Fatalf("owner's signature reused for other outputs: %v", err)
	}
	if _, err := f.Mint.MintTokens(ctx, signed); err != nil {
		t.Fatalf("owner's mint: %v", err)
	}

	strict, _ := ledger.New(ledger.Config{Master: storetest.Master, RequireQuotePubkey: true}, ledger.NewMemStore())
	if _, err := strict.CreateQuote(ctx, 1, ledger.Unit); !errors.Is(err, ledger.ErrQuotePubkeyRequired) || ledger.ErrorCode(err) != 20009 {
		t.Fatalf("open quote on a mint that requires keys: %v", err)
	}
}
