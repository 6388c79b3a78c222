package ledger

import (
	"context"
	"fmt"
)

// CheckState answers NUT-07: the state of each Y, UNSPENT when unknown.
func (m *Mint) CheckState(ctx context.Context, ys []Point) ([]ProofState, error) {
	if len(ys) > m.cfg.MaxIO*4 {
		return nil, fmt.Errorf("%w: %d Ys", ErrTooMany, len(ys))
	}
	var recs []ProofRecord
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		recs, err = tx.Proofs(ys)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]ProofState, len(recs))
	for i, r := range recs {
		out[i] = ProofState{Y: ys[i], State: r.State}
	}
	return out, nil
}

// RestoreResponse is NUT-09's answer: the outputs the mint has signed
// before, each with its signature. Promises repeats Signatures for older
// wallets.
type RestoreResponse struct {
	Outputs    []BlindedMessage `json:"outputs"`
	Signatures []BlindSignature `json:"signatures"`
	Promises   []BlindSignature `json:"promises"`
}

// Restore returns the stored signatures of the outputs signed before
// (NUT-09); unknown outputs are left out.
func (m *Mint) Restore(ctx context.Context, outputs []BlindedMessage) (RestoreResponse, error) {
	out := RestoreResponse{Outputs: []BlindedMessage{}, Signatures: []BlindSignature{}}
	if len(outputs) > m.cfg.MaxIO*4 {
		return out, fmt.Errorf("%w: %d outputs", ErrTooMany, len(outputs))
	}
	bs := make([]Point, len(outputs))
	for i, o := range outputs {
		bs[i] = o.B
	}
	var sigs []*BlindSignature
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		sigs, err = tx.Signatures(bs)
		return err
	})
	for i, s := range sigs {
		if s != nil {
			out.Outputs = append(out.Outputs, outputs[i])
			out.Signatures = append(out.Signatures, *s)
		}
	}
	out.Promises = out.Signatures
	return out, err
}
