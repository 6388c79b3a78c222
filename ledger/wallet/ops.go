package wallet

import (
	"context"
	"fmt"
	"slices"

	"cyclecash/ledger"
)

// Buy creates a mint quote for amount units; the gateway's operator marks
// it paid (a cash sale) before Mint can issue it.
func (w *Wallet) Buy(ctx context.Context, amount uint64) (ledger.Quote, error) {
	var q ledger.Quote
	err := w.do(ctx, "POST", "/v1/mint/quote/cu", map[string]any{"amount": amount, "unit": ledger.Unit}, &q)
	return q, err
}

// Mint issues a paid quote into the wallet and returns the amount added.
func (w *Wallet) Mint(ctx context.Context, quoteID string) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var q ledger.Quote
	if err := w.do(ctx, "GET", "/v1/mint/quote/cu/"+quoteID, nil, &q); err != nil {
		return 0, err
	}
	ks, err := w.activeKeyset(ctx)
	if err != nil {
		return 0, err
	}
	pre, err := w.derive(ks.ID, split(q.Amount))
	if err != nil {
		return 0, err
	}
	if err := w.save(); err != nil {
		return 0, err
	}
	var sigs ledger.Signatures
	if err := w.do(ctx, "POST", "/v1/mint/cu", ledger.MintRequest{Quote: quoteID, Outputs: messages(pre)}, &sigs); err != nil {
		return 0, err
	}
	return q.Amount, w.add(ks, pre, sigs.Signatures)
}

func (w *Wallet) add(ks *keysetKeys, pre []premint, sigs []ledger.BlindSignature) error {
	ps, err := unblind(ks, pre, sigs)
	if err != nil {
		return err
	}
	w.st.Proofs = append(w.st.Proofs, ps...)
	return w.save()
}

// swap spends inputs for outputs of the given amounts in the inputs'
// earliest-expiring keyset (the gateway's rule) and returns the new proofs.
func (w *Wallet) swap(ctx context.Context, inputs []ledger.Proof, amounts []uint64) ([]ledger.Proof, error) {
	var ks *keysetKeys
	for _, p := range inputs {
		k, err := w.keyset(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if ks == nil || k.FinalExpiry < ks.FinalExpiry {
			ks = k
		}
	}
	pre, err := w.derive(ks.ID, amounts)
	if err != nil {
		return nil, err
	}
	if err := w.save(); err != nil {
		return nil, err
	}
	var sigs ledger.Signatures
	if err := w.do(ctx, "POST", "/v1/swap", ledger.SwapRequest{Inputs: inputs, Outputs: messages(pre)}, &sigs); err != nil {
		return nil, err
	}
	return unblind(ks, pre, sigs.Signatures)
}

// Send takes amount units out of the wallet and returns them as a cashuB
// token (with DLEQ proofs so the receiver can check them offline). Oldest
// units go first; when no subset matches exactly, the selection is first
// swapped at the gateway into the exact amount plus change.
func (w *Wallet) Send(ctx context.Context, amount uint64, memo string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if amount == 0 {
		return "", fmt.Errorf("%w: send 0", ledger.ErrAmount)
	}
	picked, rest, sum, err := w.pick(ctx, amount)
	if err != nil {
		return "", err
	}
	send := picked
	if sum != amount {
		fresh, err := w.swap(ctx, picked, append(split(amount), split(sum-amount)...))
		if err != nil {
			return "", err
		}
		n := len(split(amount))
		send, rest = fresh[:n], append(rest, fresh[n:]...)
	}
	tok, err := ledger.Token{Mint: w.st.Gateway, Unit: ledger.Unit, Memo: memo, Proofs: send}.Encode()
	if err != nil {
		return "", err
	}
	w.st.Proofs = rest
	return tok, w.save()
}

// pick selects proofs, oldest keyset first and larger amounts first, until
// they cover amount.
func (w *Wallet) pick(ctx context.Context, amount uint64) (picked, rest []ledger.Proof, sum uint64, err error) {
	ps := slices.Clone(w.st.Proofs)
	expiry := map[ledger.KeysetID]int64{}
	for _, p := range ps {
		ks, err := w.keyset(ctx, p.ID)
		if err != nil {
			return nil, nil, 0, err
		}
		expiry[p.ID] = ks.FinalExpiry
	}
	slices.SortStableFunc(ps, func(a, b ledger.Proof) int {
		if d := expiry[a.ID] - expiry[b.ID]; d != 0 {
			return int(d)
		}
		return int(int64(b.Amount) - int64(a.Amount))
	})
	for i, p := range ps {
		if sum >= amount {
			return picked, append(rest, ps[i:]...), sum, nil
		}
		picked, sum = append(picked, p), sum+p.Amount
	}
	if sum < amount {
		return nil, nil, 0, fmt.Errorf("%w: have %d, need %d", ErrInsufficient, sum, amount)
	}
	return picked, rest, sum, nil
}

// Receive checks a token offline (every proof's DLEQ against the keyset
// the gateway publishes) and then swaps it into fresh proofs of this
// wallet, after which the sender can no longer spend it. It returns the
// amount received.
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
	for _, p := range tok.Proofs {
		ks, err := w.keyset(ctx, p.ID)
		if err != nil {
			return 0, err
		}
		pub, err := ks.pub(p.Amount)
		if err != nil {
			return 0, err
		}
		if !ledger.VerifyProofDLEQ(p, pub) {
			return 0, ledger.ErrBadDLEQ
		}
	}
	var amounts []uint64
	for _, p := range tok.Proofs {
		amounts = append(amounts, split(p.Amount)...)
	}
	fresh, err := w.swap(ctx, tok.Proofs, amounts)
	if err != nil {
		return 0, err
	}
	w.st.Proofs = append(w.st.Proofs, fresh...)
	return tok.Amount(), w.save()
}

// Status returns the gateway's state of every proof in a token, or of a
// single Y given in hex.
func (w *Wallet) Status(ctx context.Context, tokenOrY string) ([]ledger.ProofState, error) {
	var ys []ledger.Point
	if tok, err := ledger.DecodeToken(tokenOrY); err == nil {
		for _, p := range tok.Proofs {
			y, err := p.Y()
			if err != nil {
				return nil, err
			}
			ys = append(ys, y)
		}
	} else {
		var y ledger.Point
		if err := y.UnmarshalText([]byte(tokenOrY)); err != nil {
			return nil, fmt.Errorf("%w: neither a cashuB token nor a Y in hex", ledger.ErrMalformed)
		}
		ys = []ledger.Point{y}
	}
	return w.checkState(ctx, ys)
}

func (w *Wallet) checkState(ctx context.Context, ys []ledger.Point) ([]ledger.ProofState, error) {
	var ans struct {
		States []ledger.ProofState `json:"states"`
	}
	err := w.do(ctx, "POST", "/v1/checkstate", map[string]any{"Ys": ys}, &ans)
	if err == nil && len(ans.States) != len(ys) {
		err = fmt.Errorf("wallet: gateway answered %d states for %d Ys", len(ans.States), len(ys))
	}
	return ans.States, err
}
