package tor

import (
	"bufio"
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

const sinkProto = "/cyclecash/test/sink/1"

// BenchmarkLinkStream: bulk data (1 MiB per op, acknowledged) over one
// libp2p stream on a guard link carried by tor vs a direct TCP link: what
// a stealth worker's circuits ride on.
func BenchmarkLinkStream(b *testing.B) {
	g := loopbackHost(b)
	g.SetStreamHandler(sinkProto, func(s network.Stream) {
		defer s.Close()
		buf := make([]byte, 1<<20)
		for {
			if _, err := io.ReadFull(s, buf); err != nil {
				return
			}
			if _, err := s.Write([]byte{1}); err != nil {
				return
			}
		}
	})
	for _, name := range []string{"direct", "tor"} {
		b.Run(name, func(b *testing.B) {
			var w host.Host
			if name == "tor" {
				w = torHost(b, sharedClient(b))
			} else {
				w = loopbackHost(b)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if err := w.Connect(ctx, peer.AddrInfo{ID: g.ID(), Addrs: g.Addrs()}); err != nil {
				b.Fatal(err)
			}
			s, err := w.NewStream(ctx, g.ID(), sinkProto)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			buf, ack := make([]byte, 1<<20), make([]byte, 1)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				if _, err := s.Write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(s, ack); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRestart: a tor killed mid-run until its replacement has
// bootstrapped (Later's supervisor, the same data directory and cached
// consensus; the backoff pause excluded) vs the first start of the same
// tor.
func BenchmarkRestart(b *testing.B) {
	torrc := privateNet(b).ClientTorrc()
	for b.Loop() {
		l, err := NewLater(Config{Dir: b.TempDir(), Torrc: torrc}, nil)
		if err != nil {
			b.Fatal(err)
		}
		l.hold = func(context.Context, int) error { return nil }
		t0 := time.Now()
		l.Start()
		first, err := l.Wait(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Since(t0)
		t1 := time.Now()
		_ = syscall.Kill(first.PID(), syscall.SIGKILL)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		_, err = l.Next(ctx, first)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(start.Seconds(), "s/first-start")
		b.ReportMetric(time.Since(t1).Seconds(), "s/restart")
		l.Close()
	}
}

// BenchmarkProxyHeader: reading tor's circuit-id header off a connection.
func BenchmarkProxyHeader(b *testing.B) {
	line := proxyVectors[0].line + "GET / HTTP/1.1\r\n"
	for b.Loop() {
		if _, err := ReadProxyHeader(bufio.NewReader(strings.NewReader(line))); err != nil {
			b.Fatal(err)
		}
	}
}
