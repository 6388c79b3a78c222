package testnet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// computeNet starts relays, a gateway (node relays) and a buyer node
// (relays+1), waits for their directories, then adds workers of the given
// modes. It returns the network, gateway, buyer's API client and workers.
func computeNet(t *testing.T, relays int, modes []string, tamper map[int]func([]byte) []byte) (*Net, *node.Node, *node.Client, []*node.Node) {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-node compute network")
	}
	if raceEnabled {
		t.Skip("wazero's compiler is ~50x slower under -race; the compute cores carry the race tests")
	}
	n := relays + 2
	net, err := Start(t.TempDir(), Options{N: n, Configure: func(i int, c *node.Config) {
		if i == relays {
			gatewayConfig(c)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, n-1); err != nil {
		t.Fatal(err)
	}
	var workers []*node.Node
	for i, mode := range modes {
		w, err := net.Add(i%relays, func(c *node.Config) {
			workerConfig(mode)(c)
			c.WorkerForTest.Tamper = tamper[i]
		})
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}
	for _, w := range workers { // registered, circuits built: a fair start
		for {
			if _, err := w.WorkerAccount(ctx); err == nil {
				break
			} else if ctx.Err() != nil {
				t.Fatalf("worker never reached the gateway: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return net, net.Nodes[relays], net.Nodes[relays+1].Client(), workers
}

// TestComputeEndToEnd: a buyer's 20-task job paid in tokens is computed
// by two open and two stealth workers; results are right; exactly the
// accepted units are spent and the rest comes back as change; open
// workers are credited, stealth workers hold tokens they can spend; the
// gateway never recorded a stealth worker's peer ID.
func TestComputeEndToEnd(t *testing.T) {
	modes := []string{node.WorkerOpen, node.WorkerOpen, node.WorkerStealth, node.WorkerStealth}
	_, gw, buyer, workers := computeNet(t, 5, modes, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pay := buyTokens(t, gw, 64)
	id, err := buyer.SubmitJob(ctx, primesJob(t, 20, 20_000, 2, pay))
	if err != nil {
		t.Fatal(err)
	}
	res := waitJob(ctx, t, buyer, id)
	checkPrimes(t, res, 20_000)
	if res.State != "done" || res.Accepted != 20 || res.Reserved != 64 {
		t.Fatalf("job %s: %d accepted, %d reserved", res.State, res.Accepted, res.Reserved)
	}
	var used uint64
	for _, r := range res.Results {
		used += r.Units
	}
	if used != res.Used || used == 0 {
		t.Fatalf("used %d, sum of task units %d", res.Used, used)
	}
	if got := tokenStates(t, gw, pay); got[ledger.Spent] != 64 {
		t.Fatalf("payment states %v, want all 64 SPENT", got)
	}
	if got := tokenStates(t, gw, res.Change); got[ledger.Unspent] != 64-used {
		t.Fatalf("change states %v, want %d UNSPENT", got, 64-used)
	}
	earned := checkPayouts(ctx, t, gw, id, workers)
	if earned != used {
		t.Fatalf("workers earned %d units, the buyer paid %d: units made from nowhere or lost", earned, used)
	}
	t.Logf("job used %d units; workers earned %d units in all", used, earned)
	checkStealthRecords(t, gw, workers[2:])
	for _, w := range workers[2:] {
		spendStealthWallet(ctx, t, gw, w)
	}
}

// checkPrimes checks every accepted output against trial division.
func checkPrimes(t *testing.T, res *node.JobResults, width uint64) {
	t.Helper()
	for _, r := range res.Results {
		lo := uint64(r.Index) * width
		want := fmt.Sprintf("%d\n", primeCount(lo, lo+width))
		if r.State != "accepted" || string(r.Output) != want {
			t.Errorf("task %d: %s %s %q, want %q", r.Index, r.State, r.Status, r.Output, want)
		}
	}
}

// checkPayouts: the accepted tasks' units are paid out exactly once in
// all (compute.Payouts splits each among its valid replicas), as open
// credit or as minted stealth tokens: the units paid to workers are the
// units consumed from the buyer. It returns the total.
func checkPayouts(ctx context.Context, t *testing.T, gw *node.Node, id string, workers []*node.Node) uint64 {
	t.Helper()
	tasks, err := gw.ComputeQueue().Tasks(id)
	if err != nil {
		t.Fatal(err)
	}
	var owed uint64
	for _, task := range tasks {
		if task.State == compute.TaskAccepted {
			owed += task.Units
		}
	}
	var paid uint64
	for _, w := range workers {
		acct, err := w.WorkerAccount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.WorkerWallet(); err != nil {
			paid += acct.Credit // open
			continue
		}
		for { // stealth: wait for the credit to be claimed and minted
			_, pending, _ := w.WorkerWallet()
			if acct, err = w.WorkerAccount(ctx); err == nil && pending == 0 && acct.Credit == 0 || ctx.Err() != nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if acct.Credit != 0 {
			t.Fatalf("stealth worker %s: credit %d never claimed", acct.Worker, acct.Credit)
		}
		bal, _, _ := w.WorkerWallet()
		if bal == 0 {
			t.Errorf("stealth worker %s earned nothing", acct.Worker)
		}
		paid += bal
	}
	if paid != owed {
		t.Fatalf("workers hold %d units, the buyer was charged %d for accepted tasks", paid, owed)
	}
	return paid
}

// checkStealthRecords: no stealth worker's peer ID in the gateway's stores
// (the compute store holds its queue and worker records); the gateway
// holds no connection to a stealth worker.
func checkStealthRecords(t *testing.T, gw *node.Node, stealth []*node.Node) {
	t.Helper()
	var files [][]byte
	for _, f := range []string{node.ComputeDBFile, node.LedgerDBFile} {
		b, err := os.ReadFile(filepath.Join(gw.DataDir(), f))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	for _, w := range stealth {
		for i, b := range files {
			if bytes.Contains(b, []byte(w.ID())) || bytes.Contains(b, []byte(w.ID().String())) {
				t.Errorf("gateway store %d holds a stealth worker's peer ID", i)
			}
		}
		if n := len(gw.Overlay().Host().Network().ConnsToPeer(w.ID())); n > 0 {
			t.Errorf("the gateway holds %d connection(s) to a stealth worker: it learns the worker's address", n)
		}
	}
}

// spendStealthWallet: the stealth worker's wallet directory is a normal
// wallet: its units can be sent, and a receiver swaps them.
func spendStealthWallet(ctx context.Context, t *testing.T, gw *node.Node, w *node.Node) {
	t.Helper()
	hc, url := ledgerClient(t, gw)
	wl, err := wallet.Open(filepath.Join(w.DataDir(), "wallet"), hc)
	if err != nil {
		t.Fatal(err)
	}
	bal := wl.Balance()
	tok, err := wl.Send(ctx, bal, "")
	if err != nil {
		t.Fatal(err)
	}
	recv, err := wallet.Create(t.TempDir(), url, hc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := recv.Receive(ctx, tok); err != nil || got != bal {
		t.Fatalf("receiving a stealth worker's %d units: %d, %v", bal, got, err)
	}
	if !strings.HasPrefix(tok, "cashuB") {
		t.Fatalf("token %q", tok[:10])
	}
}
