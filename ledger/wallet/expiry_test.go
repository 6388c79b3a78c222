package wallet_test

import (
	"context"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
)

// TestBalanceByExpiry: units bought on two days are summed under each
// keyset's final expiry, as the mint set it, soonest first.
func TestBalanceByExpiry(t *testing.T) {
	defer wallet.NoSync()()
	e := newEnvOn(t, ledger.NewMemStore())
	w := e.wallet(t)
	var want []int64
	for d, n := range []uint64{5, 9} {
		e.f.Clock = storetest.Start.Add(time.Duration(d) * 24 * time.Hour)
		ks, _ := e.f.Mint.ActiveKeyset()
		want = append(want, ks.FinalExpiry)
		e.fund(t, w, n)
	}
	got, err := w.BalanceByExpiry(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Units != 5 || got[1].Units != 9 ||
		got[0].Expires.Unix() != want[0] || got[1].Expires.Unix() != want[1] {
		t.Fatalf("by expiry %+v, want 5 at %d and 9 at %d", got, want[0], want[1])
	}
}
