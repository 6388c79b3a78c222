package testnet

import (
	"context"
	"encoding/binary"
	"io"
	stdnet "net"
	"slices"
	"testing"
	"time"

	"cyclecash/node"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// sinkProto is the baseline: the same sink served on a direct libp2p stream.
const sinkProto = protocol.ID("/cyclecash/bench/sink/1")

// sink reads an 8-byte length, that many bytes, and answers one byte.
func sink(c io.ReadWriteCloser) {
	defer c.Close()
	var hdr [8]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint64(hdr[:]))); err != nil {
		return
	}
	c.Write([]byte{1})
}

// push sends size bytes to a sink and waits for its answer; MiB/s.
func push(tb testing.TB, c io.ReadWriter, size int) float64 {
	buf := make([]byte, 256<<10)
	start := time.Now()
	binary.BigEndian.PutUint64(buf, uint64(size))
	if _, err := c.Write(buf[:8]); err != nil {
		tb.Fatal(err)
	}
	for left := size; left > 0; left -= len(buf) {
		if _, err := c.Write(buf[:min(left, len(buf))]); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := io.ReadFull(c, buf[:1]); err != nil {
		tb.Fatal(err)
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds()
}

// benchNet is 5 nodes: client (1), three relays, gateway (4) with a sink.
func benchNet(b *testing.B) (*Net, *node.Node, *node.Node) {
	b.Helper()
	net, err := Start(b.TempDir(), Options{N: 5, Roles: func(i int) []string {
		if i == 4 {
			return []string{"relay", "gateway"}
		}
		return nil
	}, Configure: func(_ int, c *node.Config) {
		// One client building back to back outruns the CREATE buckets
		// meant for floods (50/s per neighbour): the figures here are
		// build times, not those limits.
		c.Relay.PeerCreateRate, c.Relay.PeerCreateBurst = 1e6, 1e6
		c.Relay.SubnetCreateRate, c.Relay.SubnetCreateBurst = 1e6, 1e6
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { net.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, 4); err != nil {
		b.Fatal(err)
	}
	gw := net.Nodes[4]
	gw.Handle("sink", func(c stdnet.Conn) { sink(c) })
	gw.Overlay().Host().SetStreamHandler(sinkProto, func(s network.Stream) { sink(s) })
	return net, net.Nodes[1], gw
}

// BenchmarkCircuitThroughput: bulk MiB/s one way through a 3-relay circuit,
// beside one direct libp2p stream between the same client and gateway
// hosts (the baseline), and their ratio; also the crypto bound: the onion
// work of the whole path without IO on one core, times the 2 cores the
// nodes share, as MiB/s and as a ratio to the direct stream.
func BenchmarkCircuitThroughput(b *testing.B) {
	_, client, gw := benchNet(b)
	ctx := context.Background()
	const size = 64 << 20
	var circ, direct, bound float64
	for b.Loop() {
		bound += 2 * cryptoBoundMiBs(b, size/4)
		conn, err := client.DialService(ctx, node.Target{Peer: gw.ID(), Hops: 3}, "sink")
		if err != nil {
			b.Fatal(err)
		}
		circ += push(b, conn, size)
		conn.Close()
		s, err := client.Overlay().Host().NewStream(ctx, gw.ID(), sinkProto)
		if err != nil {
			b.Fatal(err)
		}
		direct += push(b, s, size)
		s.Close()
	}
	n := float64(b.N)
	b.ReportMetric(circ/n, "MiB/s-3hop")
	b.ReportMetric(direct/n, "MiB/s-direct")
	b.ReportMetric(circ/direct, "ratio")
	b.ReportMetric(bound/n, "MiB/s-crypto-bound")
	b.ReportMetric(bound/direct, "ratio-crypto-bound")
}

// BenchmarkCircuitBuild: 3-relay circuit build time on warm links (every
// link of the path already open), median and p95, and the timeout learned
// meanwhile. The baseline is stock Tor's, from tor_baseline.sh.
func BenchmarkCircuitBuild(b *testing.B) {
	_, client, gw := benchNet(b)
	ctx := context.Background()
	t := node.Target{Peer: gw.ID(), Hops: 3}
	for range 20 { // warm every link
		c, err := client.BuildCircuit(ctx, t)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	var times []time.Duration
	for b.Loop() {
		c, err := client.BuildCircuit(ctx, t)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, c.BuildTime())
		c.Close()
	}
	slices.Sort(times)
	b.ReportMetric(ms(times[len(times)/2]), "ms-median")
	b.ReportMetric(ms(times[(len(times)*95+99)/100-1]), "ms-p95")
	b.ReportMetric(ms(client.Onion().BuildTimeout()), "ms-learned-timeout")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
