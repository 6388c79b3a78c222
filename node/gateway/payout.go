package gateway

import (
	"context"
	"fmt"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// Paying workers for an accepted task, by compute.Payouts: the buyer is
// charged the task's units once, so its valid workers share them (outvoted
// workers earn nothing) and the units paid never exceed the units
// consumed. Each share is credited to the worker's account in the one
// transaction that marks the task paid (tableQuotes "<job>/<task>"), and
// the capacity meter counts the task's units there, once per task. Open
// workers keep their credit in the gateway's store; a stealth worker's
// credit is paid out in tokens by stealth.go, through the mint quotes it
// sent with its results.
//
// Crash safety: the accepted task record, written in the transaction that
// accepts the task, is the durable record that its payout is owed, and
// the done flag is set in the transaction that credits the shares, so
// sweepPayouts can redo a payout interrupted anywhere and no worker is
// credited twice.

// payTask credits the valid workers of an accepted task their shares,
// once, then pays the stealth ones what their credit covers.
func (g *Gateway) payTask(ctx context.Context, job string, index int) error {
	task, err := g.task(job, index)
	if err != nil || task.State != compute.TaskAccepted {
		return err
	}
	if err := g.crashPoint("credit"); err != nil {
		return err
	}
	shares := compute.Payouts(task)
	if err := g.store.Update(func(tx compute.Tx) error { return g.creditShares(tx, task) }); err != nil {
		return err
	}
	for _, p := range shares {
		if s, err := g.isStealth(p.Worker); err != nil {
			return err
		} else if s {
			if err := g.payStealth(ctx, p.Worker); err != nil {
				return err // the credit stays: the sweep pays it later
			}
		}
	}
	return nil
}

// creditShares credits an accepted task's shares and counts its units,
// unless its done flag says that was done.
func (g *Gateway) creditShares(tx compute.Tx, task *compute.TaskRecord) error {
	doneKey := fmt.Sprintf("%s/%08d", task.Job, task.Index)
	var done bool
	if _, err := getJSON(tx, tableQuotes, doneKey, &done); err != nil || done {
		return err // another sweep or gateway got here first
	}
	for _, p := range compute.Payouts(task) {
		if err := g.credit(tx, p.Worker, p.Units); err != nil {
			return err
		}
	}
	if err := g.cap.add(tx, g.now(), task.Units); err != nil {
		return err
	}
	return putJSON(tx, tableQuotes, doneKey, true)
}

// flag reads a boolean record of tableQuotes.
func (g *Gateway) flag(key string) (bool, error) {
	var done bool
	err := g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableQuotes, key, &done); return err })
	return done, err
}

// credit adds units to worker's account.
func (g *Gateway) credit(tx compute.Tx, worker string, units uint64) error {
	acct := work.Account{Worker: worker}
	if _, err := getJSON(tx, tableCredits, worker, &acct); err != nil {
		return err
	}
	acct.Credit += units
	if err := putJSON(tx, tableCredits, worker, acct); err != nil {
		return err
	}
	return g.noteEarned(tx, worker, units)
}

func (g *Gateway) task(job string, index int) (*compute.TaskRecord, error) {
	tasks, err := g.queue.Tasks(job)
	if err != nil {
		return nil, err
	}
	for i := range tasks {
		if tasks[i].Index == index {
			return &tasks[i], nil
		}
	}
	return nil, fmt.Errorf("%w: task %d", work.ErrJob, index)
}
