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
	if len(ps) > m.cfg.MaxIO {
		return in, fmt.Errorf("%w: %d inputs (at most %d)", ErrTooMany, len(ps), m.cfg.MaxIO)
	}
	if len(ps) == 0 {
		return in, fmt.Errorf("%w: no inputs", ErrUnbalanced)
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

// checkOutputs validates outputs, each of which may use any active keyset
// that expires no later than limit (the keyset rule, see keysets.go). It
// returns the amount and the keyset of each output.
func (m *Mint) checkOutputs(outs []BlindedMessage, limit *Keyset, allowEmpty bool) (uint64, []*Keyset, error) {
	if len(outs) > m.cfg.MaxIO {
		return 0, nil, fmt.Errorf("%w: %d outputs (at most %d)", ErrTooManyOutputs, len(outs), m.cfg.MaxIO)
	}
	if len(outs) == 0 && !allowEmpty {
		return 0, nil, fmt.Errorf("%w: no outputs", ErrUnbalanced)
	}
	now := m.now()
	seen := make(map[Point]bool, len(outs))
	kss := make([]*Keyset, len(outs))
	var sum uint64
	for i, o := range outs {
		ks, err := m.outputKeyset(o.ID, limit, now)
		if err != nil {
			return 0, nil, err
		}
		if _, err := AmountIndex(o.Amount); err != nil {
			return 0, nil, err
		}
		if _, err := o.B.Key(); err != nil {
			return 0, nil, err
		}
		if seen[o.B] {
			return 0, nil, ErrDuplicateOutputs
		}
		seen[o.B] = true
		kss[i] = ks
		sum += o.Amount
	}
	return sum, kss, nil
}

// outputKeyset returns the keyset of id if outputs may use it: active now
// and expiring no later than limit.
func (m *Mint) outputKeyset(id KeysetID, limit *Keyset, now time.Time) (*Keyset, error) {
	ks, err := m.Keyset(id)
	if err != nil {
		return nil, err
	}
	if !m.isActiveAt(ks, now) {
		return nil, fmt.Errorf("%w: keyset %.16s… is not active", ErrKeysetInactive, id)
	}
	if ks.FinalExpiry > limit.FinalExpiry {
		return nil, fmt.Errorf("%w: outputs must use an active keyset expiring no later than %s, e.g. %s",
			ErrKeysetInactive, time.Unix(limit.FinalExpiry, 0).UTC().Format(time.RFC3339), limit.ID)
	}
	return ks, nil
}

// signAll signs every output with its keyset.
func (m *Mint) signAll(kss []*Keyset, outs []BlindedMessage) ([]SignedOutput, []BlindSignature, error) {
	signed := make([]SignedOutput, len(outs))
	sigs := make([]BlindSignature, len(outs))
	for i, o := range outs {
		s, err := kss[i].SignOutput(m.cfg.Rand, o)
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
