// Package storetest is the contract test suite every ledger.Store must
// pass: it drives a real ledger.Mint over the store under test, so it
// checks the store through the operations that use it (swap, mint, escrow,
// checkstate, restore), including concurrent double spends.
//
// Policy: test-only helpers; nothing here is used by production code.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"cyclecash/ledger"
)

// Run runs the contract suite; open returns a fresh, empty store that the
// suite closes.
func Run(t *testing.T, open func(t *testing.T) ledger.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *Fixture)
	}{
		{"SwapSpendsOnce", testSwapSpendsOnce},
		{"Idempotent", testIdempotent},
		{"DoubleSpend200", testDoubleSpend},
		{"BadInputs", testBadInputs},
		{"Quotes", testQuotes},
		{"SupplyCap", testSupplyCap},
		{"CapReservedAtPay", testCapReservedAtPay},
		{"SpentReportedAsSpent", testSpentReportedAsSpent},
		{"PruneQuotes", testPruneQuotes},
		{"PruneResponses", testPruneResponses},
		{"Escrow", testEscrow},
		{"Restore", testRestore},
		{"Totals", testTotals},
		{"RollUp", testRollUp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { st.Close() })
			tc.fn(t, NewFixture(t, st))
		})
	}
}

// States returns the states of proofs.
func States(t testing.TB, m *ledger.Mint, ps []ledger.Proof) []ledger.State {
	st, err := m.CheckState(context.Background(), Ys(t, ps))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]ledger.State, len(st))
	for i, s := range st {
		out[i] = s.State
	}
	return out
}

func wantStates(t *testing.T, m *ledger.Mint, ps []ledger.Proof, want ledger.State) {
	t.Helper()
	for i, s := range States(t, m, ps) {
		if s != want {
			t.Fatalf("proof %d is %s, want %s", i, s, want)
		}
	}
}

func testSwapSpendsOnce(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(1, 2, 4)
	wantStates(t, f.Mint, in, ledger.Unspent)
	ks := f.Keyset(in[0].ID)
	blanks, outs := f.Outputs(ks, 4, 2, 1)
	sigs, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in, Outputs: outs})
	if err != nil {
		t.Fatal(err)
	}
	got := f.Unblind(ks, blanks, sigs.Signatures)
	wantStates(t, f.Mint, in, ledger.Spent)
	wantStates(t, f.Mint, got, ledger.Unspent)
	_, outs2 := f.Outputs(ks, 4, 2, 1)
	if _, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in, Outputs: outs2}); !errors.Is(err, ledger.ErrAlreadySpent) {
		t.Fatalf("second spend: %v, want ErrAlreadySpent", err)
	}
	checkBalanced(t, f)
}

func testIdempotent(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(8)
	_, outs := f.Outputs(f.Keyset(in[0].ID), 4, 4)
	req := ledger.SwapRequest{Inputs: in, Outputs: outs}
	a, err := f.Mint.Swap(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Mint.Swap(ctx, req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("retry answered differently")
	}
}

func testDoubleSpend(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(8)
	ks := f.Keyset(in[0].ID)
	const n = 200
	reqs := make([]ledger.SwapRequest, n)
	for i := range reqs {
		_, outs := f.Outputs(ks, 8)
		reqs[i] = ledger.SwapRequest{Inputs: in, Outputs: outs}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.Mint.Swap(ctx, reqs[i])
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ledger.ErrAlreadySpent):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d swaps won, want exactly 1", wins)
	}
	rep := checkBalanced(t, f)
	if rep.Keysets[0].Issued != 16 || rep.Keysets[0].Spent != 8 {
		t.Fatalf("totals %+v, want issued 16 spent 8", rep.Keysets[0])
	}
}

// checkBalanced asserts spent ≤ issued for every keyset.
func checkBalanced(t *testing.T, f *Fixture) ledger.Report {
	t.Helper()
	rep, err := f.Mint.Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range rep.Keysets {
		if k.Spent > k.Issued {
			t.Fatalf("keyset %s: spent %d > issued %d", k.ID, k.Spent, k.Issued)
		}
	}
	return rep
}
