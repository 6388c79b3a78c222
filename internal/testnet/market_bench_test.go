package testnet

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/proxy"
)

// BenchmarkMarketPage: the market's front page fetched by its .mesh name
// through a node's SOCKS5 proxy and a rendezvous (one kept-alive
// connection, as a browser keeps it), beside the same page fetched on the
// market's loopback listener in the same run. Reports p50 and p95.
func BenchmarkMarketPage(b *testing.B) {
	mm := marketMeshNet(b)
	mk, client, mesh := mm.mk, mm.client, mm.mesh
	dialer, err := proxy.SOCKS5("tcp", client.SocksAddr().String(), nil, proxy.Direct)
	if err != nil {
		b.Fatal(err)
	}
	viaMesh := &http.Client{Transport: &http.Transport{DialContext: dialer.(proxy.ContextDialer).DialContext}, Timeout: time.Minute}
	for _, c := range []struct {
		name string
		url  string
		hc   *http.Client
	}{
		{"loopback", "http://" + mk.MarketAddr() + "/", &http.Client{Timeout: time.Minute}},
		{"mesh", "http://" + mesh + "/", viaMesh},
	} {
		b.Run(c.name, func(b *testing.B) {
			get := func() time.Duration {
				t0 := time.Now()
				resp, err := c.hc.Get(c.url)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				return time.Since(t0)
			}
			get() // the connection (for mesh: descriptor, introduction, rendezvous)
			var ds []time.Duration
			for b.Loop() {
				ds = append(ds, get())
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
