package gateway

import (
	"context"
	"testing"

	"cyclecash/compute"
)

// TestClawBackRevoked: the attacker is a worker that gets a forged
// result accepted with an accomplice (one job), then is outvoted on a
// later job. Its earlier job has finished, so the queue cannot reopen the
// task and revokes it instead; the gateway's sweep takes the worker's
// unpaid share of it back (exactly once) and its trust streak is reset,
// while the honest co-worker keeps its share. Without the claw-back the
// cheater keeps its credit for the forged result.
func TestClawBackRevoked(t *testing.T) {
	ctx := context.Background()
	r := newCrashRig(t)
	r.submit(ctx, "job1", r.tokens(ctx, 64), 1)
	task, _ := r.accept(ctx, "o-cheat", "s-partner", crashFuel)
	if err := r.g.payTask(ctx, "job1", task); err != nil {
		t.Fatal(err)
	}
	share, partner := r.account("o-cheat").Credit, r.account("s-partner").Credit
	if share == 0 {
		t.Fatal("no credit for the accepted task")
	}
	if j, _ := r.g.queue.Job("job1"); j.State == compute.JobRunning {
		t.Fatalf("job1 %v, want finished", j.State)
	}
	r.submit(ctx, "job2", r.tokens(ctx, 64), 1)
	report := func(worker, out string) compute.TaskState {
		a := r.lease(worker, nil)
		st, err := r.g.queue.Complete(a.Lease, compute.Result{Status: compute.StatusOK, Output: []byte(out), FuelUsed: crashFuel})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	report("o-cheat", "forged")
	report("o-b", "42")
	for _, w := range []string{"o-c", "o-d", "o-e"} { // honest replicas until the quorum agrees
		if report(w, "42") == compute.TaskAccepted {
			break
		}
	}
	if j, _ := r.g.queue.Job("job2"); j.Accepted != 1 {
		t.Fatalf("job2 %+v, want its task accepted over the cheater", j)
	}
	for range 2 { // the second sweep takes nothing more
		r.g.sweep(ctx)
	}
	if c := r.account("o-cheat").Credit; c != 0 {
		t.Fatalf("cheater's credit %d after the claw-back, want 0 (had %d)", c, share)
	}
	if c := r.account("s-partner").Credit; c > partner {
		t.Fatalf("partner's credit grew to %d", c)
	}
	st, err := r.g.statement("o-cheat")
	if err != nil || len(st.Weeks) != 1 || st.Weeks[0].Clawed != share || st.Owed != 0 {
		t.Fatalf("cheater's statement %+v %v, want %d clawed", st, err, share)
	}
	var w compute.WorkerRecord
	r.g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, compute.TableWorkers, "o-cheat", &w); return err })
	if w.ConsecutiveValid != 0 || len(w.Revoked) != 0 || w.Caught != 1 {
		t.Fatalf("cheater's record %+v, want trust reset and nothing left revoked", w)
	}
}
