package wallet_test

import (
	"context"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
)

// Thirty days of buying, sending and receiving with a moving clock. Every
// unit is born with its keyset's final expiry (30 days after the start of
// its issue day) and keeps exactly that expiry through every send and
// receive: no swap extends a unit's life, and the wallet never moves units
// into an earlier keyset (the old wallet moved whole balances into the
// soonest-expiring keyset of a selection).
func TestThirtyDayLives(t *testing.T) {
	defer wallet.NoSync()()
	e := newEnvOn(t, ledger.NewMemStore())
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	ws := []*wallet.Wallet{e.wallet(t), e.wallet(t), e.wallet(t)}
	var inFlight []string // tokens sent, not yet received
	lives := func() map[int64]uint64 {
		out := map[int64]uint64{}
		add := func(ps []ledger.Proof) {
			for _, p := range ps {
				out[e.f.Keyset(p.ID).FinalExpiry] += p.Amount
			}
		}
		for _, w := range ws {
			add(w.Proofs())
		}
		for _, tok := range inFlight {
			d, err := ledger.DecodeToken(tok)
			if err != nil {
				t.Fatal(err)
			}
			add(d.Proofs)
		}
		return out
	}
	for d := range 30 {
		e.f.Clock = storetest.Start.Add(time.Duration(d) * 24 * time.Hour)
		today, _ := e.f.Mint.ActiveKeyset()
		before := lives()
		w := ws[rng.IntN(len(ws))]
		n := 1 + rng.Uint64N(64)
		e.fund(t, w, n)
		after := lives()
		before[today.FinalExpiry] += n
		if !maps.Equal(before, after) {
			t.Fatalf("day %d: minting %d changed other lives: %v -> %v", d, n, before, after)
		}
		if today.FinalExpiry > e.f.Clock.Add(ledger.Lifetime).Unix() {
			t.Fatalf("day %d: new units live past 30 days", d)
		}
		for range 2 {
			from, to := ws[rng.IntN(len(ws))], ws[rng.IntN(len(ws))]
			before := lives()
			if from.Balance() > 0 {
				tok, err := from.Send(ctx, 1+rng.Uint64N(from.Balance()), "")
				if err != nil {
					t.Fatalf("day %d send: %v", d, err)
				}
				inFlight = append(inFlight, tok)
			}
			if len(inFlight) > 0 && rng.IntN(3) > 0 {
				i := rng.IntN(len(inFlight))
				if _, err := to.Receive(ctx, inFlight[i]); err != nil {
					t.Fatalf("day %d receive: %v", d, err)
				}
				inFlight = append(inFlight[:i], inFlight[i+1:]...)
			}
			if after := lives(); !maps.Equal(before, after) {
				t.Fatalf("day %d: units changed keyset in a send or receive: %v -> %v", d, before, after)
			}
		}
	}
}
