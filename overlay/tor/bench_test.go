package tor

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"cyclecash/overlay/tor/tortest"
)

// Baselines sit beside each Tor figure in the same benchmark, as
// sub-benchmarks: run with
//
//	go test -run '^$' -bench . -benchtime 1x ./overlay/tor   (bootstraps)
//	go test -run '^$' -bench 'Stream|Fetch|Link' ./overlay/tor

// BenchmarkNetworkBootstrap: a fresh private network, launch to a
// complete consensus (keys included).
func BenchmarkNetworkBootstrap(b *testing.B) {
	for b.Loop() {
		dir, err := os.MkdirTemp("", "tornet-bench-")
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		n, err := tortest.Start(ctx, dir)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		n.Close()
		os.RemoveAll(dir)
	}
}

// BenchmarkBootstrap: a client joining the running network, and a bridge
// (a client that also publishes its mesh listener as an onion service,
// timed until the descriptor is uploaded).
func BenchmarkBootstrap(b *testing.B) {
	l := acceptor(b)
	torrc := privateNet(b).ClientTorrc() // the network's own start stays out of the timing
	for _, bridge := range []bool{false, true} {
		name := map[bool]string{false: "client", true: "bridge"}[bridge]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				dir := b.TempDir()
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				tr, err := Start(ctx, Config{Dir: dir, Torrc: torrc}, nil)
				if err == nil && bridge {
					_, err = tr.Publish(ctx, "mesh", 4001, l.Addr().String())
				}
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				tr.Close()
			}
		})
	}
}

// sink reads everything and acknowledges every 1 MiB with one byte.
func sink(b *testing.B) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 1<<20)
				for {
					if _, err := io.ReadFull(c, buf); err != nil {
						return
					}
					if _, err := c.Write([]byte{1}); err != nil {
						return
					}
				}
			}()
		}
	}()
	return l
}

// BenchmarkStream: 1 MiB per op through a 3-hop tor stream vs a direct
// loopback connection.
func BenchmarkStream(b *testing.B) {
	l := sink(b)
	dial := map[string]func() (net.Conn, error){
		"direct": func() (net.Conn, error) { return net.Dial("tcp", l.Addr().String()) },
		"tor": func() (net.Conn, error) {
			return sharedClient(b).Dial(context.Background(), l.Addr().String(), "bench")
		},
	}
	for _, name := range []string{"direct", "tor"} {
		b.Run(name, func(b *testing.B) {
			c, err := dial[name]()
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			buf, ack := make([]byte, 1<<20), make([]byte, 1)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, ack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFetch: one HTTP GET of a small page on a new connection, from
// an onion service through a second tor client (after a first, unmeasured
// fetch that is reported as s/first-fetch) vs a direct local fetch.
func BenchmarkFetch(b *testing.B) {
	l := httpService(b, "market page")
	srv := startClient(b)
	o, err := srv.PublishListener(context.Background(), "market", 80, l)
	if err != nil {
		b.Fatal(err)
	}
	client := sharedClient(b)
	t0 := time.Now() // the first fetch also fetches the descriptor and builds the rendezvous
	if _, err := fetchVia(context.Background(), client.SocksAddr(), "http://"+o.Addr()+"/"); err != nil {
		b.Fatal(err)
	}
	first := time.Since(t0)
	urls := map[string]string{"direct": "http://" + l.Addr().String() + "/", "onion": "http://" + o.Addr() + "/"}
	for _, name := range []string{"direct", "onion"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				var err error
				if name == "direct" {
					err = directGet(urls[name])
				} else {
					_, err = fetchVia(context.Background(), client.SocksAddr(), urls[name])
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			if name == "onion" {
				b.ReportMetric(first.Seconds(), "s/first-fetch")
			}
		})
	}
}

// directGet fetches url with a fresh connection, as fetchVia does.
func directGet(url string) error {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

// BenchmarkLink: a libp2p guard link (connect, security and muxer
// handshake, one echo stream) through tor vs over direct TCP.
func BenchmarkLink(b *testing.B) {
	g := loopbackHost(b)
	for _, name := range []string{"direct", "tor"} {
		b.Run(name, func(b *testing.B) {
			w := loopbackHost(b)
			if name == "tor" {
				w = torHost(b, sharedClient(b))
			}
			for b.Loop() {
				if err := w.Connect(context.Background(), peer.AddrInfo{ID: g.ID(), Addrs: g.Addrs()}); err != nil {
					b.Fatal(err)
				}
				echoB(b, w, g)
				_ = w.Network().ClosePeer(g.ID())
			}
		})
	}
}
