package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"cyclecash/ledger"
)

func testBadInputs(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(1, 2)
	ks := f.Keyset(in[0].ID)
	good := func() ledger.SwapRequest {
		_, outs := f.Outputs(ks, 2, 1)
		return ledger.SwapRequest{Inputs: append([]ledger.Proof(nil), in...), Outputs: outs}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ledger.SwapRequest)
		want   error
	}{
		{"malformed point", func(r *ledger.SwapRequest) { r.Outputs[0].B[0] = 7 }, ledger.ErrMalformed},
		{"malformed C", func(r *ledger.SwapRequest) { r.Inputs[0].C[0] = 7 }, ledger.ErrMalformed},
		{"wrong C", func(r *ledger.SwapRequest) { r.Inputs[0].C = r.Inputs[1].C }, ledger.ErrInvalidProof},
		{"unknown keyset", func(r *ledger.SwapRequest) { r.Inputs[0].ID = "01ff" }, ledger.ErrUnknownKeyset},
		{"unbalanced", func(r *ledger.SwapRequest) { r.Outputs[0].Amount = 4 }, ledger.ErrUnbalanced},
		{"bad amount", func(r *ledger.SwapRequest) { r.Outputs[0].Amount = 3 }, ledger.ErrAmount},
		{"duplicate outputs", func(r *ledger.SwapRequest) { r.Outputs[1] = r.Outputs[0]; r.Outputs[1].Amount = 1 }, ledger.ErrDuplicateOutputs},
		{"duplicate inputs", func(r *ledger.SwapRequest) { r.Inputs[1] = r.Inputs[0] }, ledger.ErrDuplicateInputs},
		{"forged secret", func(r *ledger.SwapRequest) { r.Inputs[0].Secret += "0" }, ledger.ErrInvalidProof},
		{"no outputs", func(r *ledger.SwapRequest) { r.Outputs = nil }, ledger.ErrUnbalanced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.mutate(&r)
			_, err := f.Mint.Swap(ctx, r)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if ledger.ErrorCode(err) == 0 {
				t.Fatalf("%v has no Cashu code", err)
			}
			wantStates(t, f.Mint, in, ledger.Unspent)
		})
	}
	t.Run("outputs already signed", func(t *testing.T) {
		r := good()
		r.Inputs = f.Issue(2, 1)
		if _, err := f.Mint.Swap(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Inputs = in
		if _, err := f.Mint.Swap(ctx, r); !errors.Is(err, ledger.ErrOutputsSigned) {
			t.Fatalf("got %v", err)
		}
		wantStates(t, f.Mint, in, ledger.Unspent)
	})
	t.Run("wrong output keyset", func(t *testing.T) {
		f.Clock = f.Clock.Add(24 * time.Hour)
		defer func() { f.Clock = f.Clock.Add(-24 * time.Hour) }()
		today, _ := f.Mint.ActiveKeyset()
		_, outs := f.Outputs(today, 2, 1)
		_, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in, Outputs: outs})
		if !errors.Is(err, ledger.ErrKeysetInactive) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("expired keyset", func(t *testing.T) {
		f.Clock = f.Clock.Add(31 * 24 * time.Hour)
		defer func() { f.Clock = f.Clock.Add(-31 * 24 * time.Hour) }()
		_, err := f.Mint.Swap(ctx, good())
		if !errors.Is(err, ledger.ErrExpired) || ledger.ErrorCode(err) != 12003 {
			t.Fatalf("got %v", err)
		}
	})
}

func testQuotes(t *testing.T, f *Fixture) {
	ctx := context.Background()
	q, err := f.Mint.CreateQuote(ctx, 5, ledger.Unit)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Mint.CreateQuote(ctx, 5, "sat"); !errors.Is(err, ledger.ErrUnit) {
		t.Fatalf("unit sat: %v", err)
	}
	ks, _ := f.Mint.ActiveKeyset()
	_, outs := f.Outputs(ks, 4, 1)
	req := ledger.MintRequest{Quote: q.ID, Outputs: outs}
	if _, err := f.Mint.MintTokens(ctx, req); !errors.Is(err, ledger.ErrQuoteNotPaid) {
		t.Fatalf("unpaid: %v", err)
	}
	if q, err = f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil || q.State != ledger.QuotePaid {
		t.Fatalf("pay: %v %v", q.State, err)
	}
	a, err := f.Mint.MintTokens(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := f.Mint.MintTokens(ctx, req); err != nil || b.Signatures[0].C != a.Signatures[0].C {
		t.Fatalf("retry: %v", err)
	}
	_, outs = f.Outputs(ks, 4, 1)
	if _, err := f.Mint.MintTokens(ctx, ledger.MintRequest{Quote: q.ID, Outputs: outs}); !errors.Is(err, ledger.ErrQuoteIssued) {
		t.Fatalf("issued twice: %v", err)
	}
	if q, _ := f.Mint.Quote(ctx, q.ID); q.State != ledger.QuoteIssued {
		t.Fatalf("state %s", q.State)
	}
}

func testSupplyCap(t *testing.T, f *Fixture) {
	ctx := context.Background()
	rep, _ := f.Mint.Report(ctx)
	daily := rep.Cap.DailyCap
	q, _ := f.Mint.CreateQuote(ctx, daily+1, ledger.Unit)
	if _, err := f.Mint.PayQuote(ctx, q.ID, "cash"); !errors.Is(err, ledger.ErrSupplyCap) {
		t.Fatalf("over the daily cap: %v", err)
	}
	f.Issue(1 << 16) // 65536 of 80000
	q, _ = f.Mint.CreateQuote(ctx, 1<<14, ledger.Unit)
	if _, err := f.Mint.PayQuote(ctx, q.ID, "cash"); !errors.Is(err, ledger.ErrSupplyCap) {
		t.Fatalf("second issue over the cap: %v", err)
	}
	f.Clock = f.Clock.Add(24 * time.Hour) // a new day, a new budget
	f.Issue(1 << 14)
}

func testEscrow(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(8, 4)
	res, err := f.Mint.Reserve(ctx, in)
	if err != nil || res.Amount != 12 {
		t.Fatalf("reserve: %+v %v", res, err)
	}
	if again, err := f.Mint.Reserve(ctx, in); err != nil || again != res {
		t.Fatalf("reserve retry: %+v %v", again, err)
	}
	wantStates(t, f.Mint, in, ledger.Pending)
	_, outs := f.Outputs(f.Keyset(in[0].ID), 8, 4)
	if _, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in, Outputs: outs}); !errors.Is(err, ledger.ErrPending) {
		t.Fatalf("swap of pending: %v", err)
	}
	if err := f.Mint.Release(ctx, res.ID); err != nil {
		t.Fatal(err)
	}
	wantStates(t, f.Mint, in, ledger.Unspent)
	// The same proofs reserved again after a release: a new escrow that
	// really holds them, not the released one replayed from the cache.
	again, err := f.Mint.Reserve(ctx, in)
	if err != nil || again.ID == res.ID || again.Amount != 12 {
		t.Fatalf("re-reserve after release: %+v %v", again, err)
	}
	wantStates(t, f.Mint, in, ledger.Pending)
	if retry, err := f.Mint.Reserve(ctx, in); err != nil || retry != again {
		t.Fatalf("re-reserve retry: %+v %v", retry, err)
	}
	if err := f.Mint.Release(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	wantStates(t, f.Mint, in, ledger.Unspent)
	res, err = f.Mint.Reserve(ctx, in[:1]) // a new escrow over the 8
	if err != nil {
		t.Fatal(err)
	}
	ks := f.Keyset(res.Keyset)
	blanks, change := f.Outputs(ks, 2, 1)
	sigs, err := f.Mint.Consume(ctx, res.ID, 5, change)
	if err != nil {
		t.Fatal(err)
	}
	wantStates(t, f.Mint, in[:1], ledger.Spent)
	wantStates(t, f.Mint, f.Unblind(ks, blanks, sigs.Signatures), ledger.Unspent)
	if err := f.Mint.Release(ctx, res.ID); !errors.Is(err, ledger.ErrUnknownEscrow) {
		t.Fatalf("release after consume: %v", err)
	}
	checkBalanced(t, f)
}

func testRestore(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(2)
	ks := f.Keyset(in[0].ID)
	_, outs := f.Outputs(ks, 1, 1)
	sigs, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in, Outputs: outs})
	if err != nil {
		t.Fatal(err)
	}
	_, unknown := f.Outputs(ks, 1)
	got, err := f.Mint.Restore(ctx, append(outs, unknown...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Signatures) != 2 || got.Signatures[0].C != sigs.Signatures[0].C || got.Outputs[1] != outs[1] {
		t.Fatalf("restore returned %+v", got)
	}
}

// Paying a quote reserves its room under the cap: quotes past the cap are
// refused when paid (not when minted, after the cash was taken), paid
// quotes always mint, and a refused payout is kept to be paid on a later
// day's cap, across a restart of the Mint.
func testCapReservedAtPay(t *testing.T, f *Fixture) {
	ctx := context.Background()
	var qs []ledger.Quote
	for range 3 {
		q, err := f.Mint.CreateQuote(ctx, 30_000, ledger.Unit) // daily cap 80,000
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	for _, q := range qs[:2] {
		if _, err := f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Mint.PayQuote(ctx, qs[2].ID, "payout:j/0"); !errors.Is(err, ledger.ErrSupplyCap) {
		t.Fatalf("a third 30,000 paid against a daily cap of 80,000: %v", err)
	}
	if q, _ := f.Mint.Quote(ctx, qs[2].ID); q.State != ledger.QuoteUnpaid {
		t.Fatalf("refused quote is %s", q.State)
	}
	rep, _ := f.Mint.Report(ctx)
	if rep.Cap.Outstanding != 60_000 || rep.Cap.MintedToday != 60_000 {
		t.Fatalf("paid, unminted quotes not counted: %+v", rep.Cap)
	}
	ks, _ := f.Mint.ActiveKeyset()
	for _, q := range qs[:2] {
		_, outs := f.Outputs(ks, splitAmount(q.Amount)...)
		if _, err := f.Mint.MintTokens(ctx, ledger.MintRequest{Quote: q.ID, Outputs: outs}); err != nil {
			t.Fatalf("a paid quote does not mint: %v", err)
		}
	}
	if rep, _ := f.Mint.Report(ctx); rep.Cap.Outstanding != 60_000 {
		t.Fatalf("outstanding %d after minting the paid quotes, want 60000", rep.Cap.Outstanding)
	}
	f.Clock = f.Clock.Add(36 * time.Hour) // the next day, past the quote's own TTL
	again := NewFixture(t, f.Store)       // a restarted gateway
	again.Clock = f.Clock
	if q, err := again.Mint.PayQuote(ctx, qs[2].ID, "payout:j/0"); err != nil || q.State != ledger.QuotePaid {
		t.Fatalf("refused payout retried on the next day: %v", err)
	}
}

// splitAmount returns the powers of two adding up to n.
func splitAmount(n uint64) []uint64 {
	var out []uint64
	for i := uint(0); i < 64; i++ {
		if n&(1<<i) != 0 {
			out = append(out, 1<<i)
		}
	}
	return out
}

// Reserving fresh proofs together with a spent one is refused as spent
// (11001), not pending, on every store.
func testSpentReportedAsSpent(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(1, 2, 4)
	ks := f.Keyset(in[0].ID)
	_, outs := f.Outputs(ks, 1)
	if _, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in[:1], Outputs: outs}); err != nil {
		t.Fatal(err)
	}
	for _, order := range [][]ledger.Proof{in, {in[1], in[2], in[0]}} {
		if _, err := f.Mint.Reserve(ctx, order); !errors.Is(err, ledger.ErrAlreadySpent) || ledger.ErrorCode(err) != 11001 {
			t.Fatalf("reserve with a spent proof: %v", err)
		}
	}
	wantStates(t, f.Mint, in[1:], ledger.Unspent)

	// The store itself, past the mint's precheck: inserting PENDING records
	// next to a SPENT one reports the SPENT one.
	ys := Ys(t, in)
	recs := []ledger.ProofRecord{
		{Y: ys[1], Keyset: ks.ID, Amount: 2, State: ledger.Pending, Escrow: "e"},
		{Y: ys[0], Keyset: ks.ID, Amount: 1, State: ledger.Pending, Escrow: "e"},
		{Y: ys[2], Keyset: ks.ID, Amount: 4, State: ledger.Pending, Escrow: "e"},
	}
	err := f.Store.Update(ctx, func(tx ledger.Tx) error { return tx.InsertProofs(recs) })
	if !errors.Is(err, ledger.ErrAlreadySpent) {
		t.Fatalf("store insert next to a spent record: %v", err)
	}
	wantStates(t, f.Mint, in[1:], ledger.Unspent)
}

// Expired unpaid quotes are pruned; paid ones stay; the live count drops.
func testPruneQuotes(t *testing.T, f *Fixture) {
	ctx := context.Background()
	var ids []string
	for range 3 {
		q, err := f.Mint.CreateQuote(ctx, 1, ledger.Unit)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.ID)
	}
	if _, err := f.Mint.PayQuote(ctx, ids[0], "cash"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.Mint.UnpaidQuotes(ctx); n != 2 {
		t.Fatalf("%d unpaid quotes, want 2", n)
	}
	f.Clock = f.Clock.Add(25 * time.Hour)
	if n, err := f.Mint.Prune(ctx); err != nil || n != 2 {
		t.Fatalf("pruned %d: %v", n, err)
	}
	for i, id := range ids {
		_, err := f.Mint.Quote(ctx, id)
		if (i == 0) != (err == nil) {
			t.Fatalf("quote %d after pruning: %v", i, err)
		}
	}
	if n, _ := f.Mint.UnpaidQuotes(ctx); n != 0 {
		t.Fatalf("%d unpaid quotes after pruning", n)
	}
}

// Answers kept for identical retries have a lifetime: within it a retry
// gets the same answer, after Prune it is a new request (here refused, as
// its inputs are spent), and the store holds no old answers.
func testPruneResponses(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(2)
	ks := f.Keyset(in[0].ID)
	_, outs := f.Outputs(ks, 1, 1)
	req := ledger.SwapRequest{Inputs: in, Outputs: outs}
	a, err := f.Mint.Swap(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	f.Clock = f.Clock.Add(6 * 24 * time.Hour)
	f.Mint.Prune(ctx)
	if b, err := f.Mint.Swap(ctx, req); err != nil || b.Signatures[0].C != a.Signatures[0].C {
		t.Fatalf("retry within the lifetime: %v", err)
	}
	f.Clock = f.Clock.Add(2 * 24 * time.Hour)
	if n, err := f.Mint.Prune(ctx); err != nil || n < 1 {
		t.Fatalf("pruned %d: %v", n, err)
	}
	if _, err := f.Mint.Swap(ctx, req); !errors.Is(err, ledger.ErrAlreadySpent) {
		t.Fatalf("retry after the answer's lifetime: %v", err)
	}
}

// testTotals: the per-keyset running totals the supply cap reads follow
// every way records change: issuance, a swap (inputs spent, outputs
// issued), an escrow released (nothing spent) and one consumed (spent,
// change issued). A store that sums, or keeps, them wrongly misstates
// what is outstanding, and with it the cap.
func testTotals(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(8, 4, 2, 1)
	ks := f.Keyset(in[0].ID)
	_, outs := f.Outputs(ks, 8, 4)
	if _, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in[:2], Outputs: outs}); err != nil {
		t.Fatal(err)
	}
	res, err := f.Mint.Reserve(ctx, in[2:])
	if err == nil {
		err = f.Mint.Release(ctx, res.ID)
	}
	if err == nil {
		res, err = f.Mint.Reserve(ctx, in[2:3])
	}
	if err == nil {
		_, change := f.Outputs(ks, 1)
		_, err = f.Mint.Consume(ctx, res.ID, 1, change)
	}
	if err != nil {
		t.Fatal(err)
	}
	var got ledger.KeysetTotals
	if err := f.Store.View(ctx, func(tx ledger.Tx) error {
		all, err := tx.Totals()
		got = all[ks.ID]
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := (ledger.KeysetTotals{Issued: 15 + 12 + 1, Spent: 12 + 2}); got != want {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
}

// testRollUp: once a keyset has expired, Prune deletes its proof and
// signature records and keeps its totals, so the report and the cap read
// the same while the store stops growing with each day's keyset; a
// second Prune finds nothing more.
func testRollUp(t *testing.T, f *Fixture) {
	ctx := context.Background()
	in := f.Issue(8, 4, 2, 1)
	ks := f.Keyset(in[0].ID)
	_, outs := f.Outputs(ks, 8, 4)
	if _, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in[:2], Outputs: outs}); err != nil {
		t.Fatal(err)
	}
	totals := func() ledger.KeysetTotals {
		var got ledger.KeysetTotals
		if err := f.Store.View(ctx, func(tx ledger.Tx) error {
			all, err := tx.Totals()
			got = all[ks.ID]
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	before := totals()
	f.Clock = time.Unix(ks.FinalExpiry, 0).Add(time.Hour)
	if _, err := f.Mint.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	if got := totals(); got != before {
		t.Fatalf("totals after the roll-up %+v, want %+v", got, before)
	}
	var left int
	if err := f.Store.View(ctx, func(tx ledger.Tx) error {
		recs, err := tx.Proofs(Ys(t, in))
		for _, r := range recs {
			if r.State != ledger.Unspent {
				left++
			}
		}
		if err != nil {
			return err
		}
		ss, err := tx.Signatures([]ledger.Point{outs[0].B, outs[1].B})
		for _, s := range ss {
			if s != nil {
				left++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d records of the expired keyset left after Prune", left)
	}
	if n, err := f.Mint.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("second prune: %d %v, want nothing", n, err)
	}
}
