package testnet

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node"
)

// TestComputeCheaterAndBadJobs: a worker that corrupts its outputs is
// outvoted, earns nothing, and its tasks are recomputed by others; bad
// jobs are refused without touching the buyer's tokens.
func TestComputeCheaterAndBadJobs(t *testing.T) {
	// Three honest workers and a cheater: once results disagree, the
	// queue accepts only a lead of two votes (compute.Decide), so two
	// honest workers alone can never outvote one cheater.
	modes := []string{node.WorkerOpen, node.WorkerOpen, node.WorkerOpen, node.WorkerOpen}
	cheat := map[int]func([]byte) []byte{2: func(b []byte) []byte { return append([]byte("9"), b...) }}
	net, gw, buyer, workers := computeNet(t, 4, modes, cheat)
	buyerNode := net.Nodes[5]
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pay := buyTokens(t, gw, 32)

	bad := []struct {
		name string
		edit func(*node.JobRequest)
		want error
	}{
		{"not wasm", func(r *node.JobRequest) { r.Module = []byte("#!/bin/sh\necho 4\n") }, node.ErrJob},
		{"zero budget", func(r *node.JobRequest) { r.UnitsPerTask = 0 }, node.ErrJob},
		{"replication 1", func(r *node.JobRequest) { r.Replication = 1 }, node.ErrJob},
		{"budget above payment", func(r *node.JobRequest) { r.UnitsPerTask = 100 }, node.ErrPayment},
		{"forged token", func(r *node.JobRequest) { r.Tokens = []string{"cashuBnotatoken"} }, node.ErrPayment},
	}
	for _, b := range bad {
		req := primesJob(t, 8, 10_000, 2, pay)
		b.edit(req)
		if _, err := buyerNode.SubmitJob(ctx, req); !errors.Is(err, b.want) {
			t.Errorf("%s: %v, want %v", b.name, err, b.want)
		}
	}
	if got := tokenStates(t, gw, pay); got[ledger.Unspent] != 32 {
		t.Fatalf("after refused jobs the payment is %v, want all UNSPENT", got)
	}

	id, err := buyer.SubmitJob(ctx, primesJob(t, 8, 10_000, 2, pay))
	if err != nil {
		t.Fatal(err)
	}
	res := waitJob(ctx, t, buyer, id)
	checkPrimes(t, res, 10_000)
	cheater, err := workers[2].WorkerAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cheater.Credit != 0 {
		t.Errorf("cheater earned %d units", cheater.Credit)
	}
	tasks, err := gw.ComputeQueue().Tasks(id)
	if err != nil {
		t.Fatal(err)
	}
	outvoted := 0
	for _, task := range tasks {
		if !slices.ContainsFunc(task.Reports, func(r compute.Report) bool { return r.Worker == cheater.Worker }) {
			continue
		}
		outvoted++
		if slices.Contains(task.Valid, cheater.Worker) || len(task.Valid) < 2 {
			t.Errorf("task %d: valid %v includes the cheater or lacks a quorum", task.Index, task.Valid)
		}
	}
	rec, _ := gw.ComputeQueue().Worker(cheater.Worker)
	t.Logf("cheater reported on %d tasks, all outvoted (record: %d invalid, %d valid)", outvoted, rec.Invalid, rec.Valid)
	if outvoted == 0 || rec.Valid != 0 || rec.Invalid != outvoted {
		t.Fatalf("cheater reported on %d tasks; record %+v", outvoted, rec)
	}
}

// TestComputeWorkerKilled: a worker dies holding a lease mid-task; the
// replica is dispatched again once the lease expires and the job completes.
func TestComputeWorkerKilled(t *testing.T) {
	net, gw, buyer, _ := computeNet(t, 4, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	victimCtx, kill := context.WithCancel(ctx)
	started := make(chan struct{}, 1)
	victim := startWorker(t, net, victimCtx, func(stage string, _ time.Duration) {
		if stage == "start" {
			select {
			case started <- struct{}{}:
			default:
			}
		}
	})
	pay := buyTokens(t, gw, 16)
	// A short task: the kill waits on the start, not on a long run. The
	// timeout leaves room for the run on a loaded machine; the victim's
	// lease expires 16 s after it was taken.
	req := primesJob(t, 1, 300_000, 8, pay)
	req.TaskTimeoutMS = 15_000
	id, err := buyer.SubmitJob(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-started: // the victim holds the lease and hands the task to its sandbox
	case <-ctx.Done():
		t.Fatal("the victim never started the task")
	}
	if tasks, err := gw.ComputeQueue().Tasks(id); err != nil || len(tasks[0].Leases) == 0 {
		t.Fatalf("the victim runs the task without a lease: %v", err)
	}
	kill()
	victim.Close()
	for range 2 {
		if _, err := net.Add(0, workerConfig(node.WorkerOpen)); err != nil {
			t.Fatal(err)
		}
	}
	res := waitJob(ctx, t, buyer, id)
	checkPrimes(t, res, 300_000)
	tasks, _ := gw.ComputeQueue().Tasks(id)
	if len(tasks[0].Tried) < 3 {
		t.Fatalf("task tried by %v, want the victim and two more", tasks[0].Tried)
	}
}

// startWorker starts an open worker outside the network's lifetime, so
// the test can kill it; observe receives its stages (worker.Hooks).
func startWorker(t *testing.T, net *Net, ctx context.Context, observe func(string, time.Duration)) *node.Node {
	t.Helper()
	c := net.opts.config(t.TempDir(), len(net.Nodes)+100, net.Nodes[0].P2PAddrs())
	workerConfig(node.WorkerOpen)(&c)
	c.WorkerForTest.Observe = observe
	n, err := node.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	go n.Run(ctx)
	for {
		if _, err := n.WorkerAccount(ctx); err == nil {
			return n
		} else if ctx.Err() != nil {
			t.Fatalf("victim never reached the gateway: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
