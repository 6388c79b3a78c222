package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

// Paying workers for an accepted task. Every worker whose result agreed
// with the accepted one earns the task's units (what one replica of the
// work cost); outvoted workers earn nothing. Open workers are credited in
// the gateway's store; a stealth worker's mint quote is paid with
// "payout:<job>/<task>", after which the worker mints it with blinded
// outputs, so the tokens it ends with cannot be linked to the payout. The
// ledger's supply cap applies to those payouts: a payout refused by the
// cap stays unpaid and is logged.
//
// Crash safety: the accepted task record, written in the transaction that
// accepts the task, is the durable record that its payout is owed; the
// done flag (tableQuotes "<job>/<task>") is set in the one transaction
// that credits the workers. Paying a quote is idempotent, and a quote
// already paid for this task counts as paid, so sweepPayouts can redo a
// payout interrupted anywhere and no worker is paid twice.

// payTask pays the valid workers of an accepted task, once.
func (g *Gateway) payTask(ctx context.Context, job string, index int) error {
	task, err := g.task(job, index)
	if err != nil || task.State != compute.TaskAccepted {
		return err
	}
	doneKey := fmt.Sprintf("%s/%08d", job, index)
	if done, err := g.flag(doneKey); err != nil || done {
		return err
	}
	var paid []string // stealth workers whose quote was paid
	for _, w := range task.Valid {
		if !strings.HasPrefix(w, "s-") || task.Units == 0 {
			continue
		}
		ok, err := g.payQuote(ctx, job, index, w, task.Units)
		if err != nil {
			return err // not marked done: the sweep pays it later
		}
		if ok {
			paid = append(paid, w)
		}
	}
	if err := g.crashPoint("payout"); err != nil {
		return err
	}
	return g.store.Update(func(tx compute.Tx) error {
		var done bool
		if _, err := getJSON(tx, tableQuotes, doneKey, &done); err != nil || done {
			return err // another sweep or gateway got here first
		}
		for _, w := range task.Valid {
			if err := g.credit(tx, job, index, w, task.Units, paid); err != nil {
				return err
			}
		}
		if err := g.cap.add(tx, g.now(), task.Units); err != nil {
			return err
		}
		return putJSON(tx, tableQuotes, doneKey, true)
	})
}

// flag reads a boolean record of tableQuotes.
func (g *Gateway) flag(key string) (bool, error) {
	var done bool
	err := g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableQuotes, key, &done); return err })
	return done, err
}

// credit records what worker earned for one task in its account.
func (g *Gateway) credit(tx compute.Tx, job string, index int, worker string, units uint64, paid []string) error {
	acct := work.Account{Worker: worker}
	if _, err := getJSON(tx, tableCredits, worker, &acct); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(worker, "o-"):
		acct.Credit += units
	case slices.Contains(paid, worker):
		var q string
		if _, err := getJSON(tx, tableQuotes, quoteKey(job, index, worker), &q); err != nil {
			return err
		}
		acct.Paid = append(acct.Paid, q)
	default:
		return nil
	}
	return putJSON(tx, tableCredits, worker, acct)
}

// payQuote pays the quote a stealth worker sent with its result, if it is
// for exactly the task's units; a quote this task already paid (before a
// crash) counts as paid. It returns an error only when the ledger could
// not answer (a store failure, a conflict, the request's end), so that the
// payout is retried rather than given up; a quote the ledger refuses for
// good (unknown, expired, over the supply cap) is not paid.
func (g *Gateway) payQuote(ctx context.Context, job string, index int, worker string, units uint64) (bool, error) {
	var id string
	if err := g.store.View(func(tx compute.Tx) error {
		_, err := getJSON(tx, tableQuotes, quoteKey(job, index, worker), &id)
		return err
	}); err != nil || id == "" {
		return false, err
	}
	ref := fmt.Sprintf("payout:%s/%d", job, index)
	q, err := g.mint.Quote(ctx, id)
	if err != nil && !errors.Is(err, ledger.ErrUnknownQuote) {
		return false, err
	}
	if err == nil && q.State != ledger.QuoteUnpaid && q.PaidBy == ref && q.Amount == units {
		return true, nil
	}
	if err != nil || q.Amount != units || q.Unit != ledger.Unit || q.State != ledger.QuoteUnpaid {
		g.log.Info("compute: stealth payout quote unusable", "job", job, "task", index)
		return false, nil
	}
	if _, err := g.mint.PayQuote(ctx, id, ref); err != nil {
		if !errors.Is(err, ledger.ErrSupplyCap) && !errors.Is(err, ledger.ErrQuoteExpired) && !errors.Is(err, ledger.ErrUnknownQuote) {
			return false, err
		}
		g.log.Warn("compute: stealth payout refused", "job", job, "task", index, "err", err)
		return false, nil
	}
	return true, nil
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
