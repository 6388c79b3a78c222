package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	"cyclecash/internal/testnet"
	"cyclecash/node"
	"cyclecash/overlay"
)

// sinkProto serves the sink on direct streams: the baseline.
const sinkProto = "/cyclecash/bench/sink/1"

// netRows: on 5 nodes on loopback (a client, 3 relays, a gateway), the
// median 3-hop circuit build time on warm links beside the median time to
// open a direct stream to the gateway and get a byte back, and bulk
// throughput through a 3-hop circuit beside a direct stream.
func netRows(ctx context.Context, o Options) ([]Row, error) {
	tn, err := testnet.Start(o.Dir, testnet.Options{N: 5, Roles: func(i int) []string {
		if i == 4 {
			return []string{"relay", "gateway"}
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	defer tn.Close()
	wait, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := tn.WaitDirectory(wait, 4); err != nil {
		return nil, err
	}
	client, gw := tn.Nodes[1], tn.Nodes[4]
	gw.Handle("sink", func(c net.Conn) { sink(c) })
	gw.Overlay().HandleDirect(sinkProto, func(c net.Conn) { sink(c) })
	build, direct, err := buildTimes(ctx, client, gw, o.samples(3, 10, 40))
	if err != nil {
		return nil, err
	}
	size := o.samples(1<<20, 16<<20, 64<<20)
	circ, flat, err := throughput(ctx, client, gw, size)
	if err != nil {
		return nil, err
	}
	return []Row{
		row("3-hop circuit build, median (warm links)", "ms", build, "direct stream open + 1-byte reply", direct, "", 0, false),
		row("3-hop circuit throughput", "MiB/s", circ, "direct stream, same two nodes", flat, "", 0, false),
	}, nil
}

// buildTimes returns the median build time of n 3-hop circuits after
// warming every link, and the median of n direct stream round trips.
func buildTimes(ctx context.Context, client, gw *node.Node, n int) (build, direct float64, err error) {
	t := node.Target{Peer: gw.ID(), Hops: 3}
	var builds, directs []float64
	for i := range n + 5 { // 5 unmeasured builds open the links
		c, err := client.BuildCircuit(ctx, t)
		if err != nil {
			return 0, 0, err
		}
		if i >= 5 {
			builds = append(builds, ms(c.BuildTime()))
		}
		c.Close()
	}
	for i := range n + 1 {
		start := time.Now()
		s, err := client.Overlay().DialRole(ctx, overlay.RoleGateway, sinkProto)
		if err != nil {
			return 0, 0, err
		}
		err = pushOnly(s, 0)
		s.Close()
		if err != nil {
			return 0, 0, err
		}
		if i > 0 {
			directs = append(directs, ms(time.Since(start)))
		}
	}
	return median(builds), median(directs), nil
}

// throughput pushes size bytes through a 3-hop circuit and a direct
// stream; MiB/s of each.
func throughput(ctx context.Context, client, gw *node.Node, size int) (circ, direct float64, err error) {
	c, err := client.DialService(ctx, node.Target{Peer: gw.ID(), Hops: 3}, "sink")
	if err != nil {
		return 0, 0, err
	}
	circ, err = rate(c, size)
	c.Close()
	if err != nil {
		return 0, 0, err
	}
	s, err := client.Overlay().DialRole(ctx, overlay.RoleGateway, sinkProto)
	if err != nil {
		return 0, 0, err
	}
	direct, err = rate(s, size)
	s.Close()
	return circ, direct, err
}

func rate(c io.ReadWriter, size int) (float64, error) {
	start := time.Now()
	if err := pushOnly(c, size); err != nil {
		return 0, err
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds(), nil
}

// pushOnly sends an 8-byte length and size bytes, then waits for the
// sink's one-byte answer.
func pushOnly(c io.ReadWriter, size int) error {
	buf := make([]byte, 256<<10)
	binary.BigEndian.PutUint64(buf, uint64(size))
	if _, err := c.Write(buf[:8]); err != nil {
		return err
	}
	for left := size; left > 0; left -= len(buf) {
		if _, err := c.Write(buf[:min(left, len(buf))]); err != nil {
			return err
		}
	}
	if _, err := io.ReadFull(c, buf[:1]); err != nil {
		return fmt.Errorf("the sink never answered: %w", err)
	}
	if buf[0] != 1 {
		return errors.New("the sink answered garbage")
	}
	return nil
}

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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
