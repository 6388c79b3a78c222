package wallet

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Buy creates a mint quote for amount units, locked (NUT-20) to a fresh
// key kept in the wallet file, so the quote ID alone mints nothing; the
// gateway's operator marks it paid (a cash sale) before Mint can issue it.
func (w *Wallet) Buy(ctx context.Context, amount uint64) (ledger.Quote, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var q ledger.Quote
	key, pub, err := newQuoteKey()
	if err != nil {
		return q, err
	}
	if err := w.do(ctx, "POST", "/v1/mint/quote/cu", map[string]any{"amount": amount, "unit": ledger.Unit, "pubkey": pub}, &q); err != nil {
		return q, err
	}
	if q.Pubkey == nil || *q.Pubkey != pub {
		return q, fmt.Errorf("wallet: gateway did not lock the quote to our key")
	}
	if w.st.QuoteKeys == nil {
		w.st.QuoteKeys = map[string]ledger.Scalar{}
	}
	w.st.QuoteKeys[q.ID] = key
	return q, w.save()
}

// newQuoteKey makes a fresh secret key and its public key; a key per quote
// keeps the gateway from linking a wallet's quotes.
func newQuoteKey() (ledger.Scalar, ledger.Point, error) {
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		return ledger.Scalar{}, ledger.Point{}, err
	}
	return ledger.Scalar(k.Key.Bytes()), ledger.PointOf(k.PubKey()), nil
}

// signMint signs a mint request for a quote this wallet bought.
func (w *Wallet) signMint(req *ledger.MintRequest) error {
	key, ok := w.st.QuoteKeys[req.Quote]
	if !ok {
		return nil // a quote bought elsewhere, not locked by this wallet
	}
	var d secp256k1.ModNScalar
	d.SetBytes((*[32]byte)(&key))
	var aux [32]byte
	if _, err := rand.Read(aux[:]); err != nil {
		return err
	}
	ledger.SignMintRequest(req, &d, aux)
	return nil
}

// Mint issues a paid quote into the wallet, in the active keyset that
// expires last, and returns the amount added. If an earlier call's answer
// was lost, the identical request is sent again.
func (w *Wallet) Mint(ctx context.Context, quoteID string) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if op := w.pendingMint(quoteID); op != nil {
		return w.finishPending(ctx)
	}
	var q ledger.Quote
	if err := w.do(ctx, "GET", "/v1/mint/quote/cu/"+quoteID, nil, &q); err != nil {
		return 0, err
	}
	ks, err := w.activeKeyset(ctx)
	if err != nil {
		return 0, err
	}
	var signErr error
	op, pre, err := w.newPending(ks, "/v1/mint/cu", quoteID, split(q.Amount), nil, func(outs []ledger.BlindedMessage) any {
		req := ledger.MintRequest{Quote: quoteID, Outputs: outs}
		signErr = w.signMint(&req)
		return req
	})
	if err != nil || signErr != nil {
		return 0, errors.Join(err, signErr)
	}
	ps, err := w.send(ctx, op, pre)
	if err != nil {
		return 0, err
	}
	w.st.Proofs = append(w.st.Proofs, ps...)
	delete(w.st.QuoteKeys, quoteID)
	return q.Amount, w.save()
}

// swap spends inputs, all of one keyset ks, for outputs of the given
// amounts in the same keyset, so no unit's life changes. Inputs go to the
// gateway without their DLEQ proofs: the blinding factor r in them would
// let the gateway link the spend to the issue (NUT-12).
func (w *Wallet) swap(ctx context.Context, ks *keysetKeys, inputs []ledger.Proof, amounts []uint64) ([]ledger.Proof, error) {
	bare := ledger.StripDLEQ(inputs)
	op, pre, err := w.newPending(ks, "/v1/swap", "", amounts, inputs, func(outs []ledger.BlindedMessage) any {
		return ledger.SwapRequest{Inputs: bare, Outputs: outs}
	})
	if err != nil {
		return nil, err
	}
	return w.send(ctx, op, pre)
}

// Send takes amount units out of the wallet and returns them as a cashuB
// token (with DLEQ proofs so the receiver can check them offline). Units
// that expire soonest go first; when they do not add up exactly, only the
// one proof that crosses the amount is swapped, within its own keyset,
// into the part sent and change.
func (w *Wallet) Send(ctx context.Context, amount uint64, memo string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if amount == 0 {
		return "", fmt.Errorf("%w: send 0", ledger.ErrAmount)
	}
	if _, err := w.finishPending(ctx); err != nil {
		return "", err
	}
	send, rest, cross, err := w.pick(ctx, amount)
	if err != nil {
		return "", err
	}
	if cross != nil {
		need := amount - ledger.Token{Proofs: send}.Amount()
		ks, err := w.keyset(ctx, cross.ID)
		if err != nil {
			return "", err
		}
		fresh, err := w.swap(ctx, ks, []ledger.Proof{*cross}, append(split(need), split(cross.Amount-need)...))
		if err != nil {
			return "", err
		}
		n := len(split(need))
		send, rest = append(send, fresh[:n]...), append(rest, fresh[n:]...)
	}
	tok, err := ledger.Token{Mint: w.st.Gateway, Unit: ledger.Unit, Memo: memo, Proofs: send}.Encode()
	if err != nil {
		return "", err
	}
	w.st.Proofs = rest
	return tok, w.save()
}

// pick walks the proofs soonest-expiring first (larger amounts first
// within a keyset): whole proofs are sent while they fit; the first that
// does not becomes cross, to be split, unless smaller proofs of the same
// keyset make up the amount.
func (w *Wallet) pick(ctx context.Context, amount uint64) (send, rest []ledger.Proof, cross *ledger.Proof, err error) {
	ps, err := w.byExpiry(ctx, w.st.Proofs)
	if err != nil {
		return nil, nil, nil, err
	}
	var sum uint64
	for i, p := range ps {
		if sum == amount || (cross != nil && p.ID != cross.ID) {
			rest = append(rest, ps[i:]...)
			break
		}
		switch {
		case sum+p.Amount <= amount:
			send, sum = append(send, p), sum+p.Amount
		case cross == nil:
			cross = &ps[i]
		default:
			rest = append(rest, p)
		}
	}
	if sum == amount && cross != nil {
		rest, cross = append(rest, *cross), nil
	}
	if sum < amount && cross == nil {
		return nil, nil, nil, fmt.Errorf("%w: have %d, need %d", ErrInsufficient, sum, amount)
	}
	return send, rest, cross, nil
}

// byExpiry sorts a copy of ps soonest-expiring keyset first, larger
// amounts first within a keyset.
func (w *Wallet) byExpiry(ctx context.Context, ps []ledger.Proof) ([]ledger.Proof, error) {
	ps = slices.Clone(ps)
	expiry := map[ledger.KeysetID]int64{}
	for _, p := range ps {
		ks, err := w.keyset(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		expiry[p.ID] = ks.FinalExpiry
	}
	slices.SortStableFunc(ps, func(a, b ledger.Proof) int {
		if d := expiry[a.ID] - expiry[b.ID]; d != 0 {
			return int(d)
		}
		return int(int64(b.Amount) - int64(a.Amount))
	})
	return ps, nil
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
