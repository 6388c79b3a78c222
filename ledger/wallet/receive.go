package wallet

import (
	"context"
	"fmt"

	"cyclecash/ledger"
)

// Receive checks a token offline (every proof's DLEQ against the keyset
// the gateway publishes) and then swaps it into fresh proofs of this
// wallet, after which the sender can no longer spend it. The proofs of
// each keyset are swapped into that same keyset, so receiving never
// shortens a unit's life. Short keyset IDs are resolved first. It returns
// the amount received.
func (w *Wallet) Receive(ctx context.Context, token string) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	tok, err := ledger.DecodeToken(token)
	if err != nil {
		return 0, err
	}
	if tok.Unit != ledger.Unit {
		return 0, fmt.Errorf("%w: token unit %q", ledger.ErrUnit, tok.Unit)
	}
	if err := w.resolve(ctx, &tok); err != nil {
		return 0, err
	}
	if err := w.checkDLEQs(ctx, tok.Proofs); err != nil {
		return 0, err
	}
	if _, err := w.finishPending(ctx); err != nil {
		return 0, err
	}
	var got uint64
	for _, group := range byKeyset(tok.Proofs) {
		ks, err := w.keyset(ctx, group[0].ID)
		if err != nil {
			return got, err
		}
		var amounts []uint64
		for _, p := range group {
			amounts = append(amounts, split(p.Amount)...)
		}
		fresh, err := w.swap(ctx, ks, group, amounts)
		if err != nil {
			return got, err
		}
		w.st.Proofs = append(w.st.Proofs, fresh...)
		if err := w.save(); err != nil {
			return got, err
		}
		got += ledger.Token{Proofs: fresh}.Amount()
	}
	return got, nil
}

// checkDLEQs verifies every proof's DLEQ (NUT-12) against the gateway's
// published key for its amount.
func (w *Wallet) checkDLEQs(ctx context.Context, ps []ledger.Proof) error {
	for _, p := range ps {
		ks, err := w.keyset(ctx, p.ID)
		if err != nil {
			return err
		}
		pub, err := ks.pub(p.Amount)
		if err != nil {
			return err
		}
		if !ledger.VerifyProofDLEQ(p, pub) {
			return ledger.ErrBadDLEQ
		}
	}
	return nil
}

// byKeyset groups proofs by keyset in order of first appearance.
func byKeyset(ps []ledger.Proof) [][]ledger.Proof {
	idx := map[ledger.KeysetID]int{}
	var out [][]ledger.Proof
	for _, p := range ps {
		i, ok := idx[p.ID]
		if !ok {
			i = len(out)
			idx[p.ID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], p)
	}
	return out
}
