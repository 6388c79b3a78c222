package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"cyclecash/compute"
	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Escrow of a buyer's payment (DESIGN.md §5 spend-for-compute): the tokens
// are reserved (PENDING) when the job is queued; when it ends, the units of
// its accepted tasks are consumed (SPENT) and the rest comes back as a
// change token the buyer fetches with the results. A job with no accepted
// task releases the reservation: the buyer's own tokens are UNSPENT again.

// reserve decodes the buyer's tokens and reserves them if they cover budget.
func (g *computeGateway) reserve(ctx context.Context, tokens []string, budget uint64) (ledger.Reservation, error) {
	var proofs []ledger.Proof
	for _, s := range tokens {
		tok, err := ledger.DecodeToken(s)
		if err != nil {
			return ledger.Reservation{}, fmt.Errorf("%w: %w", ErrPayment, err)
		}
		if tok.Unit != ledger.Unit {
			return ledger.Reservation{}, fmt.Errorf("%w: token unit %q", ErrPayment, tok.Unit)
		}
		proofs = append(proofs, tok.Proofs...)
	}
	if len(proofs) == 0 {
		return ledger.Reservation{}, fmt.Errorf("%w: no tokens", ErrPayment)
	}
	// Refuse short payment before reserving: the ledger answers a repeated
	// Reserve of the same proofs from its cache, even once released, so a
	// reservation must only be made for a job that will run.
	if sum := (ledger.Token{Proofs: proofs}).Amount(); sum < budget {
		return ledger.Reservation{}, fmt.Errorf("%w: tokens hold %d units, the job's budget is %d", ErrPayment, sum, budget)
	}
	res, err := g.mint.Reserve(ctx, proofs)
	if err != nil {
		return res, fmt.Errorf("%w: %w", ErrPayment, err)
	}
	if err := g.checkPending(ctx, proofs); err != nil {
		return res, err
	}
	return res, nil
}

// checkPending makes sure the proofs are PENDING under the reservation
// just made, not the cached answer for an escrow released earlier.
func (g *computeGateway) checkPending(ctx context.Context, proofs []ledger.Proof) error {
	ys := make([]ledger.Point, len(proofs))
	for i, p := range proofs {
		y, err := p.Y()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPayment, err)
		}
		ys[i] = y
	}
	states, err := g.mint.CheckState(ctx, ys)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPayment, err)
	}
	for _, s := range states {
		if s.State != ledger.Pending {
			return fmt.Errorf("%w: these tokens paid for a job that was refused; swap them (cyclecash wallet receive) and pay again", ErrPayment)
		}
	}
	return nil
}

// settleFinished settles the escrow of every job that has stopped running.
func (g *computeGateway) settleFinished(ctx context.Context) {
	var open []string
	_ = g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableJobMeta, "", func(id string, b []byte) error {
			var m jobMeta
			if _, err := getJSON(tx, tableJobMeta, id, &m); err == nil && !m.Settled {
				open = append(open, id)
			}
			return nil
		})
	})
	for _, id := range open {
		if job, err := g.queue.Job(id); err == nil && job.State != compute.JobRunning {
			g.settle(ctx, id)
		}
	}
}

// settle consumes the job's used units and records the change, once. A
// crash between Consume and recording the change loses the change token
// (the escrow is no longer pending, so a retry is refused and logged).
func (g *computeGateway) settle(ctx context.Context, id string) {
	g.mu.Lock()
	if g.settling[id] {
		g.mu.Unlock()
		return
	}
	g.settling[id] = true
	g.mu.Unlock()
	defer func() { g.mu.Lock(); delete(g.settling, id); g.mu.Unlock() }()
	job, err := g.queue.Job(id)
	var meta jobMeta
	if err == nil {
		err = g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableJobMeta, id, &meta); return err })
	}
	if err != nil || meta.Settled || job.State == compute.JobRunning {
		return
	}
	if job.Units == 0 {
		err = g.mint.Release(ctx, meta.Reservation)
	} else {
		meta.Change, err = g.consume(ctx, meta, job.Units)
	}
	if err != nil {
		g.log.Warn("compute: settling escrow failed; will retry", "job", id, "err", err)
		return
	}
	meta.Settled = true
	if err := g.store.Update(func(tx compute.Tx) error { return putJSON(tx, tableJobMeta, id, meta) }); err != nil {
		g.log.Warn("compute: recording settlement", "job", id, "err", err)
	}
	g.log.Info("compute: escrow settled", "job", id, "used", job.Units, "reserved", meta.Reserved)
}

// consume spends used units of the reservation and returns the change as a
// token. The gateway blinds the change outputs itself (it is the mint, so
// blinding hides nothing from it); the buyer should swap the change on
// receipt (cyclecash wallet receive) so that only it can spend it.
func (g *computeGateway) consume(ctx context.Context, meta jobMeta, used uint64) (string, error) {
	ks, err := g.mint.Keyset(meta.Keyset)
	if err != nil {
		return "", err
	}
	outs, pre, err := blindOutputs(ks.ID, meta.Reserved-used)
	if err != nil {
		return "", err
	}
	sigs, err := g.mint.Consume(ctx, meta.Reservation, used, outs)
	if err != nil || len(outs) == 0 {
		return "", err
	}
	var proofs []ledger.Proof
	for i, s := range sigs.Signatures {
		pub, err := ks.PublicKey(s.Amount)
		if err != nil {
			return "", err
		}
		c, err := s.C.Key()
		if err != nil {
			return "", err
		}
		C, err := ledger.Unblind(c, &pre[i].r, pub)
		if err != nil {
			return "", err
		}
		p := ledger.Proof{Amount: s.Amount, ID: s.ID, Secret: pre[i].secret, C: ledger.PointOf(C)}
		if s.DLEQ != nil {
			r := ledger.Scalar(pre[i].r.Bytes())
			p.DLEQ = &ledger.DLEQ{E: s.DLEQ.E, S: s.DLEQ.S, R: &r}
		}
		proofs = append(proofs, p)
	}
	return ledger.Token{Unit: ledger.Unit, Memo: "cyclecash job change", Proofs: proofs}.Encode()
}

// blinded is the secret side of one blinded output.
type blinded struct {
	secret string
	r      secp256k1.ModNScalar
}

// blindOutputs makes outputs in keyset id adding up to amount, one per
// power of two, with random secrets and blinding factors.
func blindOutputs(id ledger.KeysetID, amount uint64) ([]ledger.BlindedMessage, []blinded, error) {
	var outs []ledger.BlindedMessage
	var pre []blinded
	for bit := 63; bit >= 0; bit-- {
		if amount&(1<<bit) == 0 {
			continue
		}
		var sec, rb [32]byte
		rand.Read(sec[:])
		rand.Read(rb[:])
		var b blinded
		b.secret = hex.EncodeToString(sec[:])
		b.r.SetBytes(&rb)
		B, err := ledger.Blind([]byte(b.secret), &b.r)
		if err != nil {
			return nil, nil, err
		}
		outs = append(outs, ledger.BlindedMessage{Amount: 1 << bit, ID: id, B: ledger.PointOf(B)})
		pre = append(pre, b)
	}
	return outs, pre, nil
}
