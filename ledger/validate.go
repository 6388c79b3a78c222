package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Request validation shared by swap, mint and escrow. Cheap structural
// checks run first; signature verification last, once everything else holds.

// inputSet is a validated list of inputs.
type inputSet struct {
	recs     []ProofRecord // Y, keyset, amount per input
	ys       []Point
	sum      uint64
	earliest *Keyset // the input keyset that expires first
}

func (m *Mint) checkInputs(ps []Proof, now time.Time) (inputSet, error) {
	var in inputSet
	if len(ps) == 0 || len(ps) > m.cfg.MaxIO {
		return in, fmt.Errorf("%w: %d inputs (1…%d allowed)", ErrTooMany, len(ps), m.cfg.MaxIO)
	}
	seen := make(map[Point]bool, len(ps))
	kss := make([]*Keyset, len(ps))
	ykeys := make([]*secp256k1.PublicKey, len(ps))
	for i, p := range ps {
		ks, err := m.usable(p.ID, now)
		if err != nil {
			return in, err
		}
		if _, err := AmountIndex(p.Amount); err != nil {
			return in, err
		}
		yk, err := HashToCurve([]byte(p.Secret))
		if err != nil {
			return in, err
		}
		ykeys[i] = yk
		y := PointOf(yk)
		if seen[y] {
			return in, ErrDuplicateInputs
		}
		seen[y] = true
		kss[i] = ks
		in.sum += p.Amount
		in.ys = append(in.ys, y)
		in.recs = append(in.recs, ProofRecord{Y: y, Keyset: ks.ID, Amount: p.Amount})
	}
	if err := m.precheck(in.ys); err != nil {
		return in, err
	}
	for i, p := range ps {
		if err := kss[i].verifyY(ykeys[i], p); err != nil {
			return in, fmt.Errorf("input %d: %w", i, err)
		}
	}
	in.earliest = earliest(kss)
	return in, nil
}

// precheck refuses inputs already spent or pending before any signature
// work, so replayed tokens cost the mint one read. The store transaction
// checks again; this is only a shortcut.
func (m *Mint) precheck(ys []Point) error {
	return m.store.View(context.Background(), func(tx Tx) error {
		recs, err := tx.Proofs(ys)
		for _, r := range recs {
			if r.State != Unspent {
				return StateError(r.State)
			}
		}
		return err
	})
}

// checkOutputs validates outputs that must all be signed with ks.
func (m *Mint) checkOutputs(outs []BlindedMessage, ks *Keyset, allowEmpty bool) (uint64, error) {
	if (len(outs) == 0 && !allowEmpty) || len(outs) > m.cfg.MaxIO {
		return 0, fmt.Errorf("%w: %d outputs (1…%d allowed)", ErrTooMany, len(outs), m.cfg.MaxIO)
	}
	seen := make(map[Point]bool, len(outs))
	var sum uint64
	for _, o := range outs {
		if o.ID != ks.ID {
			if _, err := m.Keyset(o.ID); err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("%w: outputs must use keyset %.16s…", ErrKeysetInactive, ks.ID)
		}
		if _, err := AmountIndex(o.Amount); err != nil {
			return 0, err
		}
		if _, err := o.B.Key(); err != nil {
			return 0, err
		}
		if seen[o.B] {
			return 0, ErrDuplicateOutputs
		}
		seen[o.B] = true
		sum += o.Amount
	}
	return sum, nil
}

// signAll signs every output with ks.
func (m *Mint) signAll(ks *Keyset, outs []BlindedMessage) ([]SignedOutput, []BlindSignature, error) {
	signed := make([]SignedOutput, len(outs))
	sigs := make([]BlindSignature, len(outs))
	for i, o := range outs {
		s, err := ks.SignOutput(m.cfg.Rand, o)
		if err != nil {
			return nil, nil, err
		}
		signed[i] = SignedOutput{B: o.B, Sig: s}
		sigs[i] = s
	}
	return signed, sigs, nil
}

func withState(recs []ProofRecord, s State, escrow string) []ProofRecord {
	out := make([]ProofRecord, len(recs))
	for i, r := range recs {
		r.State, r.Escrow = s, escrow
		out[i] = r
	}
	return out
}
