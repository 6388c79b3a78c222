package gateway

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

const crashFuel = 35 * compute.FuelPerUnit / 10 // 4 units per replica

// TestPayoutCrash: each task's 4 units are shared by its two workers (2
// each). A gateway dies before crediting the first task, and another after
// debiting the stealth worker's credit for a quote and before paying it;
// after each restart the sweep credits every share once and pays the quote
// once, and further sweeps pay nothing more.
func TestPayoutCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	r.submit(ctx, "job1", r.tokens(ctx, 64), 2)
	first, q1 := r.accept(ctx, "o-open", "s-stealth", crashFuel)
	r.restart(map[string]bool{"credit": true})
	if err := r.g.payTask(ctx, "job1", first); !errors.Is(err, errCrash) {
		t.Fatalf("payTask: %v, want the crash", err)
	}
	r.restart(map[string]bool{"payout": true})
	r.g.sweep(ctx) // credits the first task; 2 units do not cover a 4-unit quote
	if a := r.account("s-stealth"); a.Credit != 2 || len(a.Paid) != 0 || r.account("o-open").Credit != 2 {
		t.Fatalf("after the first task: stealth %+v, open %d", a, r.account("o-open").Credit)
	}
	second, q2 := r.accept(ctx, "o-open", "s-stealth", crashFuel)
	if err := r.g.payTask(ctx, "job1", second); !errors.Is(err, errCrash) {
		t.Fatalf("payTask: %v, want the crash before paying the quote", err)
	}
	r.restart(nil)
	for range 3 { // start-up sweep, then periodic ones
		r.g.sweep(ctx)
		if err := r.g.payTask(ctx, "job1", first); err != nil {
			t.Fatal(err)
		}
	}
	if c := r.account("o-open").Credit; c != 4 {
		t.Errorf("open worker credited %d, want 4 (2 per task, once)", c)
	}
	if a := r.account("s-stealth"); !slices.Equal(a.Paid, []string{q2}) || a.Credit != 0 {
		t.Errorf("stealth account %+v, want [%s] paid and no credit left", a, q2)
	}
	if q, _ := r.mint.Quote(ctx, q1); q.State != ledger.QuoteUnpaid {
		t.Errorf("the second quote is %s: the worker was paid more than its shares", q.State)
	}
	measured := meterTotal(t, r.g)
	if measured != 8 {
		t.Errorf("capacity meter counted %d units, want 8", measured)
	}
	if !r.meta("job1").PaidOut {
		t.Error("finished job not marked paid out")
	}
}

// TestSettleCrash: a gateway dies after consuming the buyer's escrow and
// before recording the change; after the restart the sweep recovers the
// same change from the ledger (Consume by the recorded plan is answered
// from the ledger's cache), the payment is spent once, and the change is
// spendable.
func TestSettleCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	pay := r.tokens(ctx, 64)
	r.submit(ctx, "job1", pay, 2)
	r.accept(ctx, "o-a", "o-b", crashFuel)
	r.accept(ctx, "o-a", "o-b", crashFuel)
	r.restart(map[string]bool{"settle": true})
	r.g.sweep(ctx)
	if m := r.meta("job1"); m.Settled || m.Plan == nil || r.proofStates(ctx, pay)[ledger.Spent] != 64 {
		t.Fatalf("after Consume: settled %v, plan %v, payment %v", m.Settled, m.Plan != nil, r.proofStates(ctx, pay))
	}
	r.restart(nil)
	r.g.sweep(ctx)
	m := r.meta("job1")
	if !m.Settled || m.Change == "" || m.Plan != nil {
		t.Fatalf("after restart: %+v", m)
	}
	r.g.sweep(ctx)
	if again := r.meta("job1"); again.Change != m.Change {
		t.Fatal("a later sweep changed the change")
	}
	if got := r.proofStates(ctx, m.Change); got[ledger.Unspent] != 64-8 || len(got) != 1 {
		t.Fatalf("change %v, want 56 UNSPENT", got)
	}
	r.spend(ctx, m.Change, 56)
}

// TestCancelReleases: cancelling a job with nothing accepted releases the
// escrow: the buyer's tokens are UNSPENT again and pay for the next job.
func TestCancelReleases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	pay := r.tokens(ctx, 64)
	r.submit(ctx, "job1", pay, 3)
	if got := r.proofStates(ctx, pay); got[ledger.Pending] != 64 {
		t.Fatalf("while running: %v", got)
	}
	if _, err := r.g.queue.Lease("o-a"); err != nil { // a replica out, never reported
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", work.Prefix+"jobs/job1/cancel", nil)
	req.SetPathValue("id", "job1")
	req.Header.Set("Authorization", "Bearer "+r.secret["job1"])
	r.g.handleCancel(w, req)
	if w.Code != 200 {
		t.Fatalf("cancel: %d %s", w.Code, w.Body)
	}
	if m := r.meta("job1"); !m.Settled || m.Change != "" {
		t.Fatalf("cancelled job %+v", m)
	}
	if got := r.proofStates(ctx, pay); got[ledger.Unspent] != 64 {
		t.Fatalf("after cancel: %v, want 64 UNSPENT", got)
	}
	if a, _ := r.g.queue.Lease("o-b"); a != nil {
		t.Fatal("a cancelled job's task was leased")
	}
	r.submit(ctx, "job2", pay, 2) // the same tokens pay again
	r.accept(ctx, "o-a", "o-b", crashFuel)
	r.g.queue.Cancel("job2")
	r.g.sweep(ctx)
	if got := r.proofStates(ctx, pay); got[ledger.Spent] != 64 {
		t.Fatalf("second job: %v, want 64 SPENT", got)
	}
	if got := r.proofStates(ctx, r.meta("job2").Change); got[ledger.Unspent] != 60 {
		t.Fatalf("second job's change: %v, want 60 UNSPENT", got)
	}
}

// spend swaps tok at the mint: its proofs are valid and unspent.
func (r *crashRig) spend(ctx context.Context, tok string, amount uint64) {
	r.t.Helper()
	t, err := ledger.DecodeToken(tok)
	if err != nil {
		r.t.Fatal(err)
	}
	plan, err := newPlan(t.Proofs[0].ID, amount, 0)
	if err == nil {
		_, err = r.mint.Swap(ctx, ledger.SwapRequest{Inputs: t.Proofs, Outputs: plan.Outputs})
	}
	if err != nil {
		r.t.Fatalf("spending %d units: %v", amount, err)
	}
}
