package ledger

import (
	"context"
	"encoding/hex"
	"fmt"
)

// Escrow for compute (DESIGN.md §5 "spend-for-compute"): a buyer's proofs
// are reserved (PENDING) while a job runs, then consumed (SPENT, with change
// signed for the unused part) or released (UNSPENT again). A Go API used in
// process by the gateway; every call is idempotent.

// Reservation is the answer of Reserve.
type Reservation struct {
	ID     string   `json:"id"`
	Amount uint64   `json:"amount"`
	Keyset KeysetID `json:"keyset"` // change may use it or an active keyset expiring before it
}

// Reserve verifies the proofs and marks them PENDING under a new escrow.
// Reserving the same proofs again returns the same reservation while it is
// pending or consumed; once it was released, the proofs are free again and
// a Reserve makes a new escrow.
func (m *Mint) Reserve(ctx context.Context, proofs []Proof) (Reservation, error) {
	var out Reservation
	proofs = StripDLEQ(proofs)
	key, err := m.reserveKey(ctx, proofs, &out)
	if err != nil || out.ID != "" {
		return out, err
	}
	in, err := m.checkInputs(proofs, m.now())
	if err != nil {
		return out, err
	}
	res := Reservation{ID: hex.EncodeToString(key[:16]), Amount: in.sum, Keyset: in.earliest.ID}
	err = m.commit(ctx, key, res, &out, func(tx Tx) error {
		if err := tx.InsertProofs(withState(in.recs, Pending, res.ID)); err != nil {
			return err
		}
		return tx.PutEscrow(Escrow{ID: res.ID, Ys: in.ys, Amount: in.sum, Keyset: in.earliest.ID, State: EscrowPending})
	})
	return out, err
}

// reserveKey finds the idempotency key for reserving proofs. Each released
// escrow of the same proofs links to the next key, so a retried request
// gets the live reservation (set in out) and a request after a release
// gets a fresh key (out left empty).
func (m *Mint) reserveKey(ctx context.Context, proofs []Proof, out *Reservation) ([32]byte, error) {
	key := requestKey("reserve", proofs)
	for {
		var prev Reservation
		ok, err := m.cached(ctx, key, &prev)
		if err != nil || !ok {
			return key, err
		}
		e, err := m.escrow(ctx, prev.ID)
		if err != nil {
			return key, err
		}
		if e == nil || e.State != EscrowReleased {
			*out = prev
			return key, nil
		}
		key = requestKey("reserve after release", struct {
			Proofs []Proof
			After  string
		}{proofs, prev.ID})
	}
}

// Consume settles an escrow: used units are spent and change, which must
// add up to the reserved amount minus used and use active keysets expiring
// no later than the reservation's keyset, is signed and returned.
func (m *Mint) Consume(ctx context.Context, id string, used uint64, change []BlindedMessage) (Signatures, error) {
	var out Signatures
	key := requestKey("consume", struct {
		ID     string
		Used   uint64
		Change []BlindedMessage
	}{id, used, change})
	if ok, err := m.cached(ctx, key, &out); ok || err != nil {
		return out, err
	}
	e, err := m.pendingEscrow(ctx, id)
	if err != nil {
		return out, err
	}
	ks, err := m.Keyset(e.Keyset)
	if err != nil {
		return out, err
	}
	sum, kss, err := m.checkOutputs(change, ks, true)
	if err != nil {
		return out, err
	}
	if used > e.Amount || sum != e.Amount-used {
		return out, fmt.Errorf("%w: reserved %d, used %d, change %d", ErrUnbalanced, e.Amount, used, sum)
	}
	signed, sigs, err := m.signAll(kss, change)
	if err != nil {
		return out, err
	}
	err = m.commit(ctx, key, Signatures{sigs}, &out, func(tx Tx) error {
		return settle(tx, id, EscrowConsumed, func(recs []ProofRecord) error {
			if err := tx.UpdateProofs(withState(recs, Spent, "")); err != nil {
				return err
			}
			return tx.InsertSignatures(signed)
		})
	})
	return out, err
}

// Release returns an escrow's proofs to UNSPENT. Releasing a released
// escrow again succeeds.
func (m *Mint) Release(ctx context.Context, id string) error {
	return m.store.Update(ctx, func(tx Tx) error {
		e, err := tx.Escrow(id)
		if err == nil && e != nil && e.State == EscrowReleased {
			return nil
		}
		return settle(tx, id, EscrowReleased, func(recs []ProofRecord) error {
			ys := make([]Point, len(recs))
			for i, r := range recs {
				ys[i] = r.Y
			}
			return tx.DeleteProofs(ys)
		})
	})
}

func (m *Mint) escrow(ctx context.Context, id string) (*Escrow, error) {
	var e *Escrow
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		e, err = tx.Escrow(id)
		return err
	})
	return e, err
}

func (m *Mint) pendingEscrow(ctx context.Context, id string) (*Escrow, error) {
	e, err := m.escrow(ctx, id)
	if err == nil && (e == nil || e.State != EscrowPending) {
		err = ErrUnknownEscrow
	}
	return e, err
}

// settle moves a pending escrow to state, running fn on its proof records.
func settle(tx Tx, id string, state EscrowState, fn func([]ProofRecord) error) error {
	e, err := tx.Escrow(id)
	if err != nil || e == nil || e.State != EscrowPending {
		return orErr(err, ErrUnknownEscrow)
	}
	recs, err := tx.Proofs(e.Ys)
	if err != nil {
		return err
	}
	if err := fn(recs); err != nil {
		return err
	}
	e.State = state
	return tx.PutEscrow(*e)
}
