package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
	"cyclecash/node/work"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Settling a job's escrow when it stops running, crash-safely. The job's
// end is itself the durable record that its escrow is owed a settlement:
// settleFinished (at start-up and on every tick) settles every job that
// has ended and whose jobMeta is not Settled. Before consuming, the
// gateway records a settlePlan (the change outputs' secrets and blinding
// factors) in the job's metadata; the ledger answers a repeated Consume of
// the same plan from its cache, so a gateway that crashed after Consume, or
// a second gateway on the same database, recovers the same change token,
// and the buyer is charged once.

// settlePlan is the change a settlement asks for, fixed before Consume.
type settlePlan struct {
	Used    uint64                  `json:"used"`
	Outputs []ledger.BlindedMessage `json:"outputs"`
	Secrets []string                `json:"secrets"`
	R       [][32]byte              `json:"r"` // blinding factors
}

// settleFinished settles the escrow of every job that has stopped running.
func (g *Gateway) settleFinished(ctx context.Context) {
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

// settle consumes the job's used units and records the change, once.
func (g *Gateway) settle(ctx context.Context, id string) {
	g.mu.Lock()
	if g.settling[id] {
		g.mu.Unlock()
		return
	}
	g.settling[id] = true
	g.mu.Unlock()
	defer func() { g.mu.Lock(); delete(g.settling, id); g.mu.Unlock() }()
	if err := g.settleJob(ctx, id); err != nil {
		g.log.Warn("compute: settling escrow failed; will retry", "err", err)
		g.log.Debug("compute: settling escrow failed", "job", id)
	}
}

func (g *Gateway) settleJob(ctx context.Context, id string) error {
	job, err := g.queue.Job(id)
	var meta jobMeta
	if err == nil {
		err = g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableJobMeta, id, &meta); return err })
	}
	if err != nil || meta.Settled || job.State == compute.JobRunning {
		return err
	}
	var change string
	if job.Units == 0 {
		err = g.mint.Release(ctx, meta.Reservation)
	} else {
		change, err = g.consume(ctx, id, meta, job.Units)
	}
	if err == nil {
		err = g.crashPoint("settle")
	}
	if err != nil {
		return err
	}
	err = g.updateMeta(id, func(m *jobMeta) { m.Settled, m.Change, m.Plan = true, change, nil })
	if err == nil {
		g.log.Info("compute: escrow settled", "used", job.Units, "reserved", meta.Reserved)
		g.log.Debug("compute: escrow settled", "job", id)
	}
	return err
}

// consume spends used units of the reservation, by the job's recorded
// plan (made now if there is none), and returns the change as a token.
// The gateway blinds the change outputs itself (it is the mint, so
// blinding hides nothing from it); the buyer should swap the change on
// receipt (cyclecash wallet receive) so that only it can spend it.
func (g *Gateway) consume(ctx context.Context, id string, meta jobMeta, used uint64) (string, error) {
	ks, err := g.mint.Keyset(meta.Keyset)
	if err != nil {
		return "", err
	}
	fresh, err := newPlan(ks.ID, meta.Reserved, used)
	if err != nil {
		return "", err
	}
	plan := fresh
	if err := g.updateMeta(id, func(m *jobMeta) {
		if m.Plan == nil || m.Plan.Used != used {
			m.Plan = fresh
		}
		plan = m.Plan
	}); err != nil {
		return "", err
	}
	sigs, err := g.mint.Consume(ctx, meta.Reservation, plan.Used, plan.Outputs)
	if err != nil || len(plan.Outputs) == 0 {
		return "", err
	}
	return unblindChange(ks, plan, sigs)
}

// newPlan makes change outputs in keyset id adding up to reserved - used,
// one per power of two (wallet.Split), with random secrets and blinding
// factors.
func newPlan(id ledger.KeysetID, reserved, used uint64) (*settlePlan, error) {
	if used > reserved {
		return nil, fmt.Errorf("%w: used %d of %d reserved", work.ErrPayment, used, reserved)
	}
	p := &settlePlan{Used: used}
	for _, amount := range wallet.Split(reserved - used) {
		var sec, rb [32]byte
		rand.Read(sec[:])
		rand.Read(rb[:])
		secret := hex.EncodeToString(sec[:])
		var r secp256k1.ModNScalar
		r.SetBytes(&rb)
		B, err := ledger.Blind([]byte(secret), &r)
		if err != nil {
			return nil, err
		}
		p.Outputs = append(p.Outputs, ledger.BlindedMessage{Amount: amount, ID: id, B: ledger.PointOf(B)})
		p.Secrets = append(p.Secrets, secret)
		p.R = append(p.R, r.Bytes())
	}
	return p, nil
}

// unblindChange turns the mint's signatures on the plan's outputs into a
// change token (wallet.UnblindSigned: the same checks a wallet makes).
func unblindChange(ks *ledger.Keyset, plan *settlePlan, sigs ledger.Signatures) (string, error) {
	if len(sigs.Signatures) != len(plan.Outputs) {
		return "", fmt.Errorf("node: compute: %d signatures for %d change outputs", len(sigs.Signatures), len(plan.Outputs))
	}
	var proofs []ledger.Proof
	for i, s := range sigs.Signatures {
		pub, err := ks.PublicKey(s.Amount)
		if err != nil {
			return "", err
		}
		var r secp256k1.ModNScalar
		r.SetBytes(&plan.R[i])
		p, err := wallet.UnblindSigned(pub, plan.Outputs[i].B, plan.Secrets[i], &r, s)
		if err != nil {
			return "", err
		}
		proofs = append(proofs, p)
	}
	return ledger.Token{Unit: ledger.Unit, Memo: "cyclecash job change", Proofs: proofs}.Encode()
}

// updateMeta changes a job's metadata in one transaction.
func (g *Gateway) updateMeta(id string, fn func(*jobMeta)) error {
	return g.store.Update(func(tx compute.Tx) error {
		var m jobMeta
		if ok, err := getJSON(tx, tableJobMeta, id, &m); err != nil || !ok {
			return orNotFound(err, id)
		}
		fn(&m)
		return putJSON(tx, tableJobMeta, id, m)
	})
}

func orNotFound(err error, id string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: unknown job %q", work.ErrJob, id)
}
