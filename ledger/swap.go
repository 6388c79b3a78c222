package ledger

import (
	"context"
	"fmt"
)

// Swap spends the inputs and signs the outputs (NUT-03). Each output may
// use any active keyset that expires no later than the input that expires
// first, so a swap can shorten the life of units but never extend it;
// amounts must balance. Verification and signing
// happen before the store transaction, which then only checks and records
// state: inputs SPENT (refused if spent or pending), outputs signed once.
func (m *Mint) Swap(ctx context.Context, req SwapRequest) (Signatures, error) {
	var out Signatures
	if len(req.Outputs) > m.cfg.MaxIO {
		return out, fmt.Errorf("%w: %d outputs (at most %d)", ErrTooManyOutputs, len(req.Outputs), m.cfg.MaxIO)
	}
	req.Inputs = StripDLEQ(req.Inputs) // never kept, never part of the key
	key := requestKey("swap", req)
	if ok, err := m.cached(ctx, key, &out); ok || err != nil {
		return out, err
	}
	in, err := m.checkInputs(req.Inputs, m.now())
	if err != nil {
		return out, err
	}
	outSum, kss, err := m.checkOutputs(req.Outputs, in.earliest, false)
	if err != nil {
		return out, err
	}
	if outSum != in.sum {
		return out, fmt.Errorf("%w: inputs %d, outputs %d", ErrUnbalanced, in.sum, outSum)
	}
	signed, sigs, err := m.signAll(kss, req.Outputs)
	if err != nil {
		return out, err
	}
	spent := withState(in.recs, Spent, "")
	err = m.commit(ctx, key, Signatures{sigs}, &out, func(tx Tx) error {
		if err := tx.InsertProofs(spent); err != nil {
			return err
		}
		return tx.InsertSignatures(signed)
	})
	return out, err
}
