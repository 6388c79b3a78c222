package gateway

import (
	"context"
	"slices"
	"testing"

	"cyclecash/ledger"
)

// TestPayoutTransientFailure: a stealth worker's payout that fails for a
// reason that may pass (here the request's context ends, as when the
// worker hangs up during /complete) is not marked done: the sweep pays it
// later. Only a quote the ledger refuses for good is given up.
func TestPayoutTransientFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	r.submit(ctx, "job1", r.tokens(ctx, 64), 2)
	r.accept(ctx, "o-open", "s-stealth", crashFuel)
	r.g.sweep(ctx) // 2 units of credit: not enough for a 4-unit quote
	index, q := r.accept(ctx, "o-open", "s-stealth", crashFuel)
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.g.payTask(gone, "job1", index); err == nil {
		t.Error("payTask with the ledger unreachable reported success")
	}
	r.g.sweep(ctx)
	if quote, _ := r.mint.Quote(ctx, q); quote.State != ledger.QuotePaid {
		t.Errorf("stealth quote %s after the sweep, want PAID", quote.State)
	}
	if paid := r.account("s-stealth").Paid; !slices.Equal(paid, []string{q}) {
		t.Errorf("stealth quotes recorded %v, want [%s]", paid, q)
	}
	if c := r.account("o-open").Credit; c != 4 {
		t.Errorf("open worker credited %d, want 4 (2 per task)", c)
	}
}
