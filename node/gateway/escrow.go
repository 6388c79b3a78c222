package gateway

import (
	"context"
	"fmt"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

// Escrow of a buyer's payment (DESIGN.md §5 spend-for-compute): the tokens
// are reserved (PENDING) when the job is queued; when it ends, the units of
// its accepted tasks are consumed (SPENT) and the rest comes back as a
// change token the buyer fetches with the results. A job with no accepted
// task releases the reservation: the buyer's own tokens are UNSPENT again.
// Settlement is in settle.go.

// reserve decodes the buyer's tokens and reserves them for job if they
// cover budget.
func (g *Gateway) reserve(ctx context.Context, job string, tokens []string, budget uint64) (ledger.Reservation, error) {
	var proofs []ledger.Proof
	for _, s := range tokens {
		tok, err := ledger.DecodeToken(s)
		if err != nil {
			return ledger.Reservation{}, fmt.Errorf("%w: %w", work.ErrPayment, err)
		}
		if tok.Unit != ledger.Unit {
			return ledger.Reservation{}, fmt.Errorf("%w: token unit %q", work.ErrPayment, tok.Unit)
		}
		proofs = append(proofs, tok.Proofs...)
	}
	if len(proofs) == 0 {
		return ledger.Reservation{}, fmt.Errorf("%w: no tokens", work.ErrPayment)
	}
	// Refuse short payment before reserving: the ledger answers a repeated
	// Reserve of the same proofs from its cache, even once released, so a
	// reservation must only be made for a job that will run.
	if sum := (ledger.Token{Proofs: proofs}).Amount(); sum < budget {
		return ledger.Reservation{}, fmt.Errorf("%w: tokens hold %d units, the job's budget is %d", work.ErrPayment, sum, budget)
	}
	res, err := g.mint.Reserve(ctx, proofs)
	if err != nil {
		return res, fmt.Errorf("%w: %w", work.ErrPayment, err)
	}
	if err := g.checkPending(ctx, proofs); err != nil {
		return res, err
	}
	if err := g.claim(res.ID, job); err != nil {
		return res, err
	}
	return res, nil
}

// claim records that the reservation pays for job. The ledger answers a
// Reserve of proofs already PENDING with the live reservation, so the
// same tokens submitted twice come back with the first job's escrow: a
// second job must be refused (and must not release it), or settling
// either job would consume or release the other's payment.
func (g *Gateway) claim(reservation, job string) error {
	return g.store.Update(func(tx compute.Tx) error {
		var owner string
		ok, err := getJSON(tx, tableEscrows, reservation, &owner)
		if err != nil {
			return err
		}
		if ok && owner != job {
			return fmt.Errorf("%w: these tokens already pay for another job", work.ErrPayment)
		}
		return putJSON(tx, tableEscrows, reservation, job)
	})
}

// checkPending makes sure the proofs are PENDING under the reservation
// just made, not the cached answer for an escrow released earlier.
func (g *Gateway) checkPending(ctx context.Context, proofs []ledger.Proof) error {
	ys := make([]ledger.Point, len(proofs))
	for i, p := range proofs {
		y, err := p.Y()
		if err != nil {
			return fmt.Errorf("%w: %w", work.ErrPayment, err)
		}
		ys[i] = y
	}
	states, err := g.mint.CheckState(ctx, ys)
	if err != nil {
		return fmt.Errorf("%w: %w", work.ErrPayment, err)
	}
	for _, s := range states {
		if s.State != ledger.Pending {
			return fmt.Errorf("%w: these tokens paid for a job that was refused; swap them (cyclecash wallet receive) and pay again", work.ErrPayment)
		}
	}
	return nil
}
