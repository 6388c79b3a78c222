package wallet

import (
	"context"
	"slices"
	"time"
)

// Expiring is an amount of units held whose keyset expires at one time.
type Expiring struct {
	Expires time.Time
	Units   uint64
}

// BalanceByExpiry sums the proofs held by their keyset's final expiry,
// soonest first, fetching (and checking) keysets the wallet has not seen
// since it was opened. It changes nothing.
func (w *Wallet) BalanceByExpiry(ctx context.Context) ([]Expiring, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sums := map[int64]uint64{}
	for _, p := range w.st.Proofs {
		ks, err := w.keyset(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		sums[ks.FinalExpiry] += p.Amount
	}
	out := make([]Expiring, 0, len(sums))
	for at, units := range sums {
		out = append(out, Expiring{Expires: time.Unix(at, 0).UTC(), Units: units})
	}
	slices.SortFunc(out, func(a, b Expiring) int { return a.Expires.Compare(b.Expires) })
	return out, nil
}
