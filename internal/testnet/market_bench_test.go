package testnet

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// BenchmarkMarketPurchaseCircuit measures purchases per second at a market
// node (a browser on its loopback listener; the market claims each token
// by a swap at the gateway through a circuit) against the swap alone: a
// wallet on the market node swapping a token of the same size through the
// same kind of circuit, interleaved in this run. It reports the ratio.
func BenchmarkMarketPurchaseCircuit(b *testing.B) {
	gw, mk := marketNet(b)
	ctx := context.Background()
	seller, buyer := newVisitor(b, mk), newVisitor(b, mk)
	seller.post("/signup", nil)
	buyer.post("/signup", nil)
	seller.post("/sell", url.Values{"title": {"bench"}, "description": {"bench"},
		"category": {"compute"}, "price": {"4"}, "quantity": {"1000000"}})
	listing := seller.path
	t, err := node.ParseTarget("role:gateway")
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return mk.DialService(ctx, t, node.WorkService)
	}}}
	w, err := wallet.Create(b.TempDir(), "http://gateway/ledger", hc, nil)
	if err != nil {
		b.Fatal(err)
	}
	var swapTime, buyTime time.Duration
	for b.Loop() {
		b.StopTimer()
		a, c := buyTokens(b, gw, 4), buyTokens(b, gw, 4)
		b.StartTimer()
		start := time.Now()
		if _, err := w.Receive(ctx, a); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		code, body := buyer.post(listing+"/buy", url.Values{"qty": {"1"}, "price": {"4"}, "token": {c}, "pay": {"token"}})
		if code != 200 {
			b.Fatalf("buy: %d %s", code, pageError(body))
		}
		swapTime, buyTime = swapTime+mid.Sub(start), buyTime+time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(n/buyTime.Seconds(), "purchases/s")
	b.ReportMetric(n/swapTime.Seconds(), "swaps/s")
	b.ReportMetric(swapTime.Seconds()/buyTime.Seconds(), "purchase/swap")
}
