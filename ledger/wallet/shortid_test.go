package wallet_test

import (
	"context"
	"testing"

	"cyclecash/ledger"
)

// NUT-00: a receiving wallet MUST accept a token whose proofs carry the
// 8-byte short keyset ID, resolving it against the mint's keysets.
func TestReceiveShortKeysetID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice, bob := e.wallet(t), e.wallet(t)
	e.fund(t, alice, 5)
	tok, err := alice.Send(ctx, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	dec, err := ledger.DecodeToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	for i := range dec.Proofs {
		dec.Proofs[i].ID = dec.Proofs[i].ID.Short()
	}
	short, err := dec.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := ledger.DecodeToken(short); len(again.Proofs[0].ID) != ledger.ShortIDLen {
		t.Fatalf("token keeps id %s, want the short form", again.Proofs[0].ID)
	}
	if got, err := bob.Receive(ctx, short); err != nil || got != 5 || bob.Balance() != 5 {
		t.Fatalf("receive short-id token: %d %v", got, err)
	}
}
