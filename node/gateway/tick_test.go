package gateway

import (
	"context"
	"testing"
	"time"

	"cyclecash/ledger"
)

// TestTickExpiresLeases: a worker that leases a replica and vanishes
// loses the buyer nothing. The gateway's tick drops the lease once it
// expires (by the gateway's clock, injected here), so the task has no
// replica out and two other workers take both and get it accepted.
// Without Expire on the tick the dead lease stays on the task record.
func TestTickExpiresLeases(t *testing.T) {
	ctx := context.Background()
	now := time.Now() // the job's deadline is an hour from the wall clock (submitR)
	r := &crashRig{t: t, cfg: Config{DataDir: t.TempDir(), Floor: 1 << 20}, ledger: ledger.NewMemStore(),
		now: func() time.Time { return now }}
	r.restart(nil)
	t.Cleanup(func() { r.g.Close() })
	r.submit(ctx, "job1", r.tokens(ctx, 40), 1)
	if a, err := r.g.queue.Lease("o-gone"); err != nil || a == nil {
		t.Fatalf("lease: %v %v", a, err)
	}
	outstanding := func() int {
		tasks, err := r.g.queue.Tasks("job1")
		if err != nil {
			t.Fatal(err)
		}
		return len(tasks[0].Leases)
	}
	r.g.tick(ctx)
	if n := outstanding(); n != 1 {
		t.Fatalf("%d leases out before expiry, want 1", n)
	}
	now = now.Add(2 * time.Minute) // past the 60 s timeout and 30 s grace
	r.g.tick(ctx)
	if n := outstanding(); n != 0 {
		t.Fatalf("%d leases out after the tick past expiry, want 0", n)
	}
	r.accept(ctx, "o-a", "s-b", crashFuel)
	if a := r.account("o-gone"); a.Credit != 0 {
		t.Fatalf("the vanished worker was credited %d", a.Credit)
	}
}
