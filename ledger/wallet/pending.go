package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"cyclecash/ledger"
)

// A request that creates outputs is written to the wallet file before it
// is sent (NUT-19-style): if its answer is lost, the wallet re-sends the
// identical body, which the gateway answers from its idempotency cache, so
// the units arrive without a restore and no counter is used twice.

// sendAttempts is how often one call sends a request whose answer was lost.
const sendAttempts = 3

// pendingOp is a request sent (or about to be) whose answer the wallet has
// not applied yet.
type pendingOp struct {
	Path    string          `json:"path"`
	Body    json.RawMessage `json:"body"`
	Quote   string          `json:"quote,omitempty"` // for a mint request
	Keyset  ledger.KeysetID `json:"keyset"`
	Counter uint64          `json:"counter"` // of the first output
	Amounts []uint64        `json:"amounts"`
	Inputs  []string        `json:"inputs,omitempty"` // secrets of the proofs it spends
}

// newPending derives the outputs for amounts in ks, builds the request
// with mk and records it in the wallet file before anything is sent.
func (w *Wallet) newPending(ks *keysetKeys, path, quote string, amounts []uint64, inputs []ledger.Proof,
	mk func([]ledger.BlindedMessage) any) (*pendingOp, []premint, error) {
	op := &pendingOp{Path: path, Quote: quote, Keyset: ks.ID, Counter: w.st.Counters[ks.ID], Amounts: amounts}
	pre, err := w.derive(ks.ID, amounts)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range inputs {
		op.Inputs = append(op.Inputs, p.Secret)
	}
	if op.Body, err = json.Marshal(mk(messages(pre))); err != nil {
		return nil, nil, err
	}
	w.st.Pending = append(w.st.Pending, op)
	if err := w.save(); err != nil {
		w.st.Pending = w.st.Pending[:len(w.st.Pending)-1]
		return nil, nil, err
	}
	return op, pre, nil
}

// send posts op's body until an answer arrives (at most sendAttempts
// times) and returns the new proofs. A definite refusal by the gateway
// drops op; a lost answer keeps it in the file for finishPending.
func (w *Wallet) send(ctx context.Context, op *pendingOp, pre []premint) ([]ledger.Proof, error) {
	ks, err := w.keyset(ctx, op.Keyset)
	if err != nil {
		return nil, err
	}
	var sigs ledger.Signatures
	for try := 0; ; try++ {
		err = w.do(ctx, "POST", op.Path, op.Body, &sigs)
		if err == nil || !retryable(err) || try+1 == sendAttempts || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if !retryable(err) {
			w.dropPending(op)
			return nil, errors.Join(err, w.save())
		}
		return nil, err
	}
	ps, err := unblind(ks, pre, sigs.Signatures)
	w.dropPending(op) // an answer that does not unblind will not improve
	return ps, err
}

// retryable reports whether err may have lost an answer: a transport
// failure or a gateway error of its own (5xx), not a refusal.
func retryable(err error) bool {
	var api *APIError
	return !errors.As(err, &api) || api.Status >= http.StatusInternalServerError
}

func (w *Wallet) dropPending(op *pendingOp) {
	w.st.Pending = slices.DeleteFunc(w.st.Pending, func(p *pendingOp) bool { return p == op })
}

// finishPending re-sends every request whose answer was lost and applies
// the answers: spent inputs leave the wallet, new proofs join it. It
// returns the amount added; requests still unanswered stay pending.
func (w *Wallet) finishPending(ctx context.Context) (uint64, error) {
	var added uint64
	for _, op := range slices.Clone(w.st.Pending) {
		pre := make([]premint, len(op.Amounts))
		for i, a := range op.Amounts {
			p, err := w.deriveAt(op.Keyset, op.Counter+uint64(i), a)
			if err != nil {
				return added, err
			}
			pre[i] = p
		}
		ps, err := w.send(ctx, op, pre)
		if err != nil && slices.Contains(w.st.Pending, op) {
			return added, fmt.Errorf("wallet: finishing an unanswered %s: %w", op.Path, err)
		}
		if err != nil {
			continue // refused for good: nothing to apply
		}
		w.st.Proofs = slices.DeleteFunc(w.st.Proofs, func(p ledger.Proof) bool { return slices.Contains(op.Inputs, p.Secret) })
		w.st.Proofs = append(w.st.Proofs, ps...)
		delete(w.st.QuoteKeys, op.Quote)
		added += ledger.Token{Proofs: ps}.Amount()
		if err := w.save(); err != nil {
			return added, err
		}
	}
	return added, nil
}

// FinishPending re-sends requests whose answers were lost (see
// finishPending) and returns the amount they added.
func (w *Wallet) FinishPending(ctx context.Context) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.finishPending(ctx)
}

// pendingMint returns the unanswered mint request of a quote, or nil.
func (w *Wallet) pendingMint(quote string) *pendingOp {
	for _, op := range w.st.Pending {
		if op.Quote == quote {
			return op
		}
	}
	return nil
}
