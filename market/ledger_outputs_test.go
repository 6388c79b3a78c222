package market

import (
	"crypto/rand"
	"errors"
	"testing"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// TestUnblindChecksLikeTheWallet: the market unblinds a swap's signatures
// with the wallet's checks, so a mint signature whose DLEQ does not verify
// is ledger.ErrBadDLEQ (the market's own copy used to answer free text),
// a signature for another amount is refused, and honest signatures give
// proofs the keyset accepts, carrying their DLEQ for the next holder.
func TestUnblindChecksLikeTheWallet(t *testing.T) {
	t.Parallel()
	ks, err := ledger.DeriveKeyset(make([]byte, 32), 20000)
	if err != nil {
		t.Fatal(err)
	}
	vk := &verifiedKeyset{pubs: map[uint64]*secp256k1.PublicKey{}}
	for a := range ks.Keys() {
		vk.pubs[a], _ = ks.PublicKey(a)
	}
	pre, err := newOutputs(rand.Reader, ks.ID, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	sign := func() []ledger.BlindSignature {
		var sigs []ledger.BlindSignature
		for _, p := range pre {
			s, err := ks.SignOutput(rand.Reader, p.Msg)
			if err != nil {
				t.Fatal(err)
			}
			sigs = append(sigs, s)
		}
		return sigs
	}
	proofs, err := unblind(vk, pre, sign())
	if err != nil || len(proofs) != 2 {
		t.Fatalf("honest signatures: %v", err)
	}
	for _, p := range proofs {
		if _, err := ks.VerifyProof(p); err != nil || !ledger.VerifyProofDLEQ(p, vk.pubs[p.Amount]) {
			t.Fatalf("proof %d does not verify: %v", p.Amount, err)
		}
	}
	forged := sign()
	d := *forged[1].DLEQ
	d.S[31] ^= 1
	forged[1].DLEQ = &d
	if _, err := unblind(vk, pre, forged); !errors.Is(err, ledger.ErrBadDLEQ) {
		t.Errorf("forged dleq: %v, want ledger.ErrBadDLEQ", err)
	}
	other := sign()
	other[0].Amount = 2
	if _, err := unblind(vk, pre, other); err == nil || errors.Is(err, ledger.ErrBadDLEQ) {
		t.Errorf("signature for another amount: %v, want a mismatch", err)
	}
}
