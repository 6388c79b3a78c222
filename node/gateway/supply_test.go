package gateway

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"cyclecash/compute"
	"cyclecash/ledger"
)

// TestJobPaysNoMoreThanConsumed: over a whole job with replication 2 and
// 3 (spot checks adding replicas at random), open and stealth workers
// agreeing on every task, the units paid to workers for each task never
// exceed the task's units, the job's total paid equals the units consumed
// from the buyer's escrow, the stealth quotes paid never exceed the
// stealth workers' shares, the capacity meter counts each task once, and
// the ledger's record of a payout quote names neither job nor task.
// On the old code every valid replica earned the task's units.
func TestJobPaysNoMoreThanConsumed(t *testing.T) {
	t.Parallel()
	for _, repl := range []int{2, 3} {
		t.Run(fmt.Sprint("R=", repl), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(uint64(repl), 9))
			r := newRigRand(t, Config{DataDir: t.TempDir()}, ledger.NewMemStore(), rng.Float64)
			tok := r.tokens(ctx, 1024)
			if err := r.submitR(ctx, "job1", tok, 12, repl); err != nil {
				t.Fatal(err)
			}
			workers := []string{"o-a", "s-b", "o-c", "s-d", "o-e", "s-f"}
			held := map[string]*compute.Assignment{}
			for round := 0; ; round++ {
				if job, _ := r.g.queue.Job("job1"); job.State != compute.JobRunning || round > 400 {
					break
				}
				w := workers[round%len(workers)]
				a := held[w]
				if a == nil {
					var err error
					if a, err = r.g.queue.Lease(w); err != nil {
						t.Fatal(err)
					}
				}
				delete(held, w)
				if a == nil {
					continue
				}
				r.complete(ctx, t, a)
			}
			job, _ := r.g.queue.Job("job1")
			if job.State != compute.JobDone || job.Accepted != 12 {
				t.Fatalf("job %v, %d accepted", job.State, job.Accepted)
			}
			if err := r.g.settleJob(ctx, "job1"); err != nil {
				t.Fatal(err)
			}
			m := r.meta("job1")
			change := uint64(0)
			if m.Change != "" {
				ct, _ := ledger.DecodeToken(m.Change)
				change = ct.Amount()
			}
			consumed := m.Reserved - change
			if consumed != job.Units {
				t.Fatalf("consumed %d, job used %d", consumed, job.Units)
			}
			if paid := r.paidAll(ctx, t, workers); paid > consumed || paid != job.Units {
				t.Fatalf("workers paid %d, buyer's escrow consumed %d", paid, consumed)
			}
			measured := meterTotal(t, r.g)
			if measured != job.Units {
				t.Errorf("capacity meter counted %d units, validated %d", measured, job.Units)
			}
		})
	}
}

// complete reports an agreeing result for a (a stealth worker sending a
// quote for the replica's units, as node/worker does) and, once the task
// is accepted, pays it, checking that this task paid at most its units.
func (r *crashRig) complete(ctx context.Context, t *testing.T, a *compute.Assignment) {
	t.Helper()
	w := a.Lease.Worker
	if strings.HasPrefix(w, "s-") {
		q, err := r.lockedQuote(ctx, compute.UnitsFor(crashFuel, 10))
		if err == nil {
			err = r.g.store.Update(func(tx compute.Tx) error { return r.g.recordOffer(tx, a.Lease.Job, a.Lease.Task, w, q.ID) })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	state, err := r.g.queue.Complete(a.Lease, compute.Result{Status: compute.StatusOK, Output: []byte("42"), FuelUsed: crashFuel})
	if err != nil || state != compute.TaskAccepted {
		return
	}
	workers := []string{"o-a", "s-b", "o-c", "s-d", "o-e", "s-f"}
	before := r.paidAll(ctx, t, workers)
	if err := r.g.payTask(ctx, a.Lease.Job, a.Lease.Task); err != nil {
		t.Fatal(err)
	}
	task, _ := r.g.task(a.Lease.Job, a.Lease.Task)
	if got := r.paidAll(ctx, t, workers) - before; got > task.Units {
		t.Fatalf("task %d (%d valid): paid %d units, consumed %d", task.Index, len(task.Valid), got, task.Units)
	}
}

// paidAll is what the workers were paid: credit, plus the stealth quotes
// paid, which must not exceed the shares debited for them.
func (r *crashRig) paidAll(ctx context.Context, t *testing.T, workers []string) uint64 {
	t.Helper()
	sum := uint64(0)
	for _, w := range workers {
		acct := r.account(w)
		sum += acct.Credit
		for _, id := range acct.Paid {
			q, err := r.mint.Quote(ctx, id)
			if err != nil || q.State == ledger.QuoteUnpaid {
				t.Fatalf("quote %s listed paid: %v %v", id, q.State, err)
			}
			if strings.Contains(q.PaidBy, "job1") || q.PaidBy != payoutRef(id) {
				t.Fatalf("quote paid by %q: the ledger learns the job", q.PaidBy)
			}
			sum += q.Amount
		}
	}
	return sum
}
