package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"
)

const day = 24 * time.Hour

// The keyset rule: every unexpired keyset is active, so a stock wallet can
// build outputs for old units, and a swap's outputs may use any active
// keyset expiring no later than its earliest input, never a later one.
func TestKeysetRule(t *testing.T) {
	ctx := context.Background()
	f := storetest.NewFixture(t, ledger.NewMemStore())
	day0, _ := f.Mint.ActiveKeyset()
	old := f.Issue(2, 1)
	f.Clock = f.Clock.Add(5 * day)
	day5, _ := f.Mint.ActiveKeyset()
	fresh := f.Issue(4)

	kss, err := f.Mint.Keysets()
	if err != nil || len(kss) < 6 {
		t.Fatalf("%d keysets listed: %v", len(kss), err)
	}
	if !f.Mint.IsActive(day0) {
		t.Fatal("day 0's keyset is not active on day 5: a stock wallet cannot spend its units")
	}
	f.Clock = f.Clock.Add(-3 * day)
	day2, _ := f.Mint.ActiveKeyset()
	f.Clock = f.Clock.Add(3 * day)

	swap := func(in []ledger.Proof, ks *ledger.Keyset, amounts ...uint64) error {
		_, outs := f.Outputs(ks, amounts...)
		_, err := f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: in, Outputs: outs})
		return err
	}
	if err := swap(old, day5, 2, 1); !errors.Is(err, ledger.ErrKeysetInactive) || ledger.ErrorCode(err) != 12002 {
		t.Fatalf("day-0 units swapped into day 5 (life extended): %v", err)
	}
	if err := swap(old, day2, 2, 1); !errors.Is(err, ledger.ErrKeysetInactive) {
		t.Fatalf("day-0 units swapped into day 2 (life extended): %v", err)
	}
	if err := swap(append(old[:1:1], fresh...), day5, 4, 2); !errors.Is(err, ledger.ErrKeysetInactive) {
		t.Fatalf("mixed inputs swapped into the later keyset: %v", err)
	}
	if err := swap(fresh, day2, 4); err != nil {
		t.Fatalf("day-5 units into day 2 (shortened): %v", err)
	}
	if err := swap(old, day0, 2, 1); err != nil {
		t.Fatalf("day-0 units into their own keyset: %v", err)
	}
	f.Clock = f.Clock.Add(30 * day) // day 0 and day 2 expired, day 5 gone too
	if err := swap(f.Issue(1), day0, 1); !errors.Is(err, ledger.ErrKeysetInactive) {
		t.Fatalf("output in an expired keyset: %v", err)
	}
}
