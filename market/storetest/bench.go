package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cyclecash/ledger"
	lboltstore "cyclecash/ledger/boltstore"
	"cyclecash/market"
)

// BenchPurchase measures purchases per second over st against the rate of
// the mint's swap alone (the same one-proof swap over the same loopback
// HTTP client, the mint on bbolt as a gateway runs it), both in this run,
// and reports their ratio.
func BenchPurchase(b *testing.B, st market.Store) {
	ls, err := lboltstore.Open(filepath.Join(b.TempDir(), "ledger.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer ls.Close()
	e := NewEnvMint(b, st, ls)
	ctx := context.Background()
	_, l := e.Seller(4, 1<<20)
	buyer := e.Account()
	n := b.N
	toks := e.Tokens(2*n, 4)
	reqs := make([]ledger.SwapRequest, n)
	for i := range reqs {
		tok, _ := ledger.DecodeToken(toks[i])
		_, outs := e.Fix.Outputs(e.Fix.Keyset(tok.Proofs[0].ID), 4)
		p := tok.Proofs[0]
		p.DLEQ = nil
		reqs[i] = ledger.SwapRequest{Inputs: []ledger.Proof{p}, Outputs: outs}
	}
	// Interleaved, so both see a mint of the same size.
	b.ResetTimer()
	var swapTime, buyTime time.Duration
	for i, r := range reqs {
		start := time.Now()
		if _, err := e.Mint.Swap(ctx, r); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := e.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, toks[n+i]); err != nil {
			b.Fatal(err)
		}
		swapTime, buyTime = swapTime+mid.Sub(start), buyTime+time.Since(mid)
	}
	swapRate := float64(n) / swapTime.Seconds()
	buyRate := float64(n) / buyTime.Seconds()
	b.StopTimer()
	b.ReportMetric(buyRate, "purchases/s")
	b.ReportMetric(swapRate, "swaps/s")
	b.ReportMetric(buyRate/swapRate, "purchase/swap")
}
