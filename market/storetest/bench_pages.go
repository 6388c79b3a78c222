package storetest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"cyclecash/market"
)

// BenchPages measures page latency on a loopback listener over st with
// 500 listings: the home page, a search and a listing page, each request
// timed from send to last byte; it reports p50 and p95 per page.
func BenchPages(b *testing.B, st market.Store) {
	e := NewEnv(b, st)
	seller := e.Account()
	var last market.Listing
	for i := range 500 {
		l, err := e.Market.CreateListing(context.Background(), seller, market.ListingInput{
			Title: fmt.Sprintf("Item %d prime", i), Description: "a description of some length to search through",
			Category: market.Categories[i%len(market.Categories)], Price: uint64(1 + i), Quantity: 3})
		if err != nil {
			b.Fatal(err)
		}
		last = l
	}
	srv := httptest.NewServer(e.Market)
	defer srv.Close()
	pages := []struct{ name, path string }{
		{"home", "/"}, {"search", "/?q=prime+description&category=data&min=10&max=400"}, {"listing", "/l/" + last.ID},
	}
	c := srv.Client()
	b.ResetTimer()
	for _, p := range pages {
		lat := make([]time.Duration, b.N)
		for i := range b.N {
			start := time.Now()
			resp, err := c.Get(srv.URL + p.path)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("%s: %d", p.path, resp.StatusCode)
			}
			lat[i] = time.Since(start)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, p.name+"-p50-ms")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, p.name+"-p95-ms")
	}
}
