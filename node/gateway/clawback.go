package gateway

import (
	"cyclecash/compute"
	"cyclecash/node/work"
)

// Claw-back: a worker caught cheating (outvoted on a later task) has its
// earlier accepted results re-checked; those of jobs still running are
// reopened by the queue, and those of finished jobs are revoked
// (compute.Queue.ClawBack). For each revoked task the gateway takes the
// worker's share back from its credit, as far as the credit still holds
// it: an open worker's credit is paid only by the operator's recorded
// payouts (statement.go), so until then all of it is recoverable; a
// stealth worker's credit already paid in a quote is gone, which is why
// trust (and so unreplicated acceptance) is earned only by independent
// agreement. The queue resets the worker's trust in the same transaction.

// clawBack takes back the unpaid shares of every revoked task; it runs on
// the sweep, after owed payouts.
func (g *Gateway) clawBack() (int, error) {
	return g.queue.ClawBack(func(tx compute.Tx, worker string, task *compute.TaskRecord) error {
		if err := g.creditShares(tx, task); err != nil { // pay the honest co-workers first
			return err
		}
		for _, p := range compute.Payouts(task) {
			if p.Worker != worker {
				continue
			}
			acct := work.Account{Worker: worker}
			if _, err := getJSON(tx, tableCredits, worker, &acct); err != nil {
				return err
			}
			took := min(acct.Credit, p.Units)
			acct.Credit -= took
			if err := putJSON(tx, tableCredits, worker, acct); err != nil {
				return err
			}
			return g.noteClawed(tx, worker, took)
		}
		return nil
	})
}
