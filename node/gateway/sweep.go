package gateway

import (
	"context"
	"fmt"

	"cyclecash/compute"
)

// The gateway's recovery sweep, at start-up and on every tick: it
// completes every payout and settlement that was owed but not done when a
// gateway stopped (a crash, a refused ledger call). Both are idempotent
// (payout.go, settle.go), so a sweep racing the request
// that does the same work, or another gateway on the same database, pays
// nothing twice.

// sweep completes owed payouts, then settles ended jobs.
func (g *Gateway) sweep(ctx context.Context) {
	g.sweepPayouts(ctx)
	if _, err := g.clawBack(); err != nil {
		g.log.Warn("compute: claw-back", "err", err)
	}
	for _, w := range g.stealthOwed() {
		if err := g.payStealth(ctx, w); err != nil && ctx.Err() == nil {
			g.log.Warn("compute: stealth payout sweep", "err", err)
		}
	}
	g.settleFinished(ctx)
}

// sweepPayouts pays every accepted task not yet paid, in jobs not yet
// marked PaidOut; a job that has ended with every accepted task paid is
// marked, so later sweeps skip it.
func (g *Gateway) sweepPayouts(ctx context.Context) {
	var jobs []string
	_ = g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableJobMeta, "", func(id string, b []byte) error {
			var m jobMeta
			if _, err := getJSON(tx, tableJobMeta, id, &m); err == nil && !m.PaidOut {
				jobs = append(jobs, id)
			}
			return nil
		})
	})
	for _, id := range jobs {
		if err := g.sweepJob(ctx, id); err != nil && ctx.Err() == nil {
			g.log.Warn("compute: payout sweep", "err", err)
			g.log.Debug("compute: payout sweep failed", "job", id)
		}
	}
}

func (g *Gateway) sweepJob(ctx context.Context, id string) error {
	job, err := g.queue.Job(id)
	if err != nil {
		return err
	}
	tasks, err := g.queue.Tasks(id)
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.State != compute.TaskAccepted {
			continue
		}
		if done, err := g.flag(fmt.Sprintf("%s/%08d", id, t.Index)); err != nil || done {
			if err != nil {
				return err
			}
			continue
		}
		if err := g.payTask(ctx, id, t.Index); err != nil {
			return err
		}
	}
	if job.State == compute.JobRunning {
		return nil
	}
	return g.updateMeta(id, func(m *jobMeta) { m.PaidOut = true })
}

// crashPoint is where tests stop the gateway between two steps of a
// payout or settlement; it is nil in production.
func (g *Gateway) crashPoint(step string) error {
	if g.crash == nil {
		return nil
	}
	return g.crash(step)
}
