package testnet

import (
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"
)

// BenchmarkHiddenService: in one network, the setup time to first byte and
// the echo throughput of a stream to a hidden service through the SOCKS5
// proxy, beside a plain 3-relay circuit to a gateway's echo service (the
// baseline). hs-rendezvous: the client has the descriptor; rendezvous
// circuit, introduction, the service's circuit to the rendezvous point.
// hs-stream: a new stream on an existing rendezvous session.
func BenchmarkHiddenService(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	n, err := Start(b.TempDir(), Options{N: 9, Roles: func(i int) []string {
		if i == 8 {
			return []string{"relay", "gateway"}
		}
		return nil
	}, Configure: func(i int, c *node.Config) {
		if i == 6 {
			c.HiddenServices = []node.HSServiceConfig{{Name: "echo", Ports: []string{"7 " + ln.Addr().String()}}}
			c.HSRepublishForTest = 2 * time.Second
		}
		if i == 7 {
			c.Socks = "127.0.0.1:0"
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if err := n.WaitDirectory(ctx, 8); err != nil {
		b.Fatal(err)
	}
	svc, client, gw := n.Nodes[6], n.Nodes[7], n.Nodes[8]
	waitHSPublished(ctx, b, svc)
	addr, proxy := svc.HiddenServices()[0].Address, client.SocksAddr().String()
	viaSocks := func(user string) (net.Conn, error) {
		c, code, err := socks5DialAs(proxy, user, addr, 7)
		if err == nil && code != 0 {
			err = fmt.Errorf("socks reply %d", code)
		}
		return c, err
	}
	groups := 0
	dials := map[string]func() (net.Conn, error){
		// A new SOCKS identity each time: a new rendezvous and introduction
		// (the descriptor is cached after the first).
		"hs-rendezvous": func() (net.Conn, error) { groups++; return viaSocks(fmt.Sprint("bench", groups)) },
		// The same identity: a new stream on the one rendezvous session.
		"hs-stream": func() (net.Conn, error) { return viaSocks("") },
		"plain3": func() (net.Conn, error) {
			c, err := client.BuildCircuit(ctx, node.Target{Peer: gw.ID(), Hops: 3})
			if err != nil {
				return nil, err
			}
			return c.Dial(ctx, overlay.EchoService)
		},
	}
	// Bulk echo per dial, each way; hs-stream measures setup only.
	bulk := map[string]int{"plain3": 1 << 20, "hs-rendezvous": 1 << 20}
	for _, name := range []string{"plain3", "hs-rendezvous", "hs-stream"} {
		b.Run(name, func(b *testing.B) {
			var setups []time.Duration
			var moved int64
			var busy time.Duration
			for b.Loop() {
				start := time.Now()
				c, err := dials[name]()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Write([]byte{1}); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
					b.Fatal(err)
				}
				setups = append(setups, time.Since(start))
				if size := bulk[name]; size > 0 {
					t0 := time.Now()
					go c.Write(make([]byte, size))
					if _, err := io.CopyN(io.Discard, c, int64(size)); err != nil {
						b.Fatal(err)
					}
					busy += time.Since(t0)
					moved += int64(size)
				}
				c.Close()
			}
			sort.Slice(setups, func(i, j int) bool { return setups[i] < setups[j] })
			b.ReportMetric(float64(setups[len(setups)/2].Microseconds())/1000, "setup-ms-p50")
			b.ReportMetric(float64(setups[len(setups)*95/100].Microseconds())/1000, "setup-ms-p95")
			if moved > 0 {
				b.ReportMetric(float64(moved)/busy.Seconds()/(1<<20), "MiB/s")
			}
		})
	}
}
