package gateway

import (
	"context"
	"errors"
	"testing"

	"cyclecash/ledger"
	"cyclecash/node/work"
)

// TestReserveTwice: the same tokens submitted for a second job while the
// first still runs are refused. The ledger answers the second Reserve from
// its cache with the first job's reservation, so a second job would share
// the escrow: settling (or cancelling) either one would release or consume
// the other's payment, and the other's work would go unpaid.
func TestReserveTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	pay := r.tokens(ctx, 64)
	r.submit(ctx, "job1", pay, 3)
	if err := r.trySubmit(ctx, "job2", pay, 3); !errors.Is(err, work.ErrPayment) {
		t.Fatalf("second job paid with the same tokens: %v, want work.ErrPayment", err)
	}
	if r.g.queue.Cancel("job2") == nil {
		r.g.settle(ctx, "job2")
	}
	if got := r.proofStates(ctx, pay); got[ledger.Pending] != 64 {
		t.Fatalf("first job's escrow after the second submission: %v, want 64 PENDING", got)
	}
	if m := r.meta("job1"); m.Settled {
		t.Fatalf("first job %+v", m)
	}
}
