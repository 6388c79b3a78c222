package gateway

import (
	"context"
	"errors"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/node/work"
)

// TestOpenWorkerWeek: an open worker's credit accrues per accepted task
// into the UTC week it was earned in, survives the gateway restarting
// over its store, appears on the statement, and the operator's recorded
// cash payout zeroes what is owed exactly once. The attacker is the
// worker (or a careless operator) wanting a payout recorded twice or for
// more than is owed: a second recording of one payment pays nothing, a
// payment ID reused for another amount is refused, and so is an amount
// above the credit.
func TestOpenWorkerWeek(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 1, 3, 23, 40, 0, 0, time.UTC) // a Sunday
	r := &crashRig{t: t, cfg: Config{DataDir: t.TempDir(), Floor: 1 << 20}, ledger: ledger.NewMemStore(),
		now: func() time.Time { return now }}
	r.restart(nil)
	t.Cleanup(func() { r.g.Close() })
	r.submit(ctx, "job1", r.tokens(ctx, 128), 4)
	pay := func() {
		task, _ := r.accept(ctx, "o-open", "s-peer", crashFuel)
		if err := r.g.payTask(ctx, "job1", task); err != nil {
			t.Fatal(err)
		}
	}
	pay()
	share := r.account("o-open").Credit
	if share == 0 {
		t.Fatal("no credit for an accepted task")
	}
	pay()
	now = now.Add(30 * time.Minute) // Monday: a new week
	pay()
	r.restart(nil) // the store is all there is
	st, err := r.g.statement("o-open")
	want := []work.Week{{Week: "2026-12-28", Tasks: 2, Earned: 2 * share}, {Week: "2027-01-04", Tasks: 1, Earned: share}}
	if err != nil || st.Owed != 3*share || len(st.Weeks) != 2 || st.Weeks[0] != want[0] || st.Weeks[1] != want[1] {
		t.Fatalf("statement %+v %v, want %d owed over %+v", st, err, 3*share, want)
	}
	due, err := r.g.owed()
	if err != nil || len(due) != 1 || due[0].Worker != "o-open" {
		t.Fatalf("owed %+v %v, want only the open worker (the stealth one is paid in tokens)", due, err)
	}
	if _, err := r.g.recordPayout(work.CashPayout{ID: "bank-1", Worker: "o-open", Units: 3*share + 1}); !errors.Is(err, ErrPayoutTooMuch) {
		t.Fatalf("payout above the credit: %v", err)
	}
	p := work.CashPayout{ID: "bank-1", Worker: "o-open", Units: 3 * share}
	for range 2 {
		if st, err = r.g.recordPayout(p); err != nil || st.Owed != 0 || st.Weeks[1].Paid != 3*share {
			t.Fatalf("payout: %+v %v", st, err)
		}
	}
	pay()
	if _, err := r.g.recordPayout(work.CashPayout{ID: "bank-1", Worker: "o-open", Units: share}); !errors.Is(err, ErrPayoutReused) {
		t.Fatalf("a payment ID reused: %v", err)
	}
	if st, _ := r.g.statement("o-open"); st.Owed != share || st.Weeks[1].Paid != 3*share || st.Weeks[1].Earned != 2*share {
		t.Fatalf("after one payout and a task: %+v", st)
	}
}
