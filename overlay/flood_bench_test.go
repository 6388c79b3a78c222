package overlay

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/onion"
)

// BenchmarkFloodBuild: honest one-hop build latency at a relay on loopback,
// unloaded and while an attacker floods it with CREATEs over one link as
// fast as it can; "creates/s" is the attacker's rate, all of which the
// relay absorbed (answered or refused) while the builds ran.
func BenchmarkFloodBuild(b *testing.B) {
	for _, flood := range []bool{false, true} {
		name := "unloaded"
		if flood {
			name = "flood"
		}
		b.Run(name, func(b *testing.B) {
			relay := benchRelay(b)
			client := benchRelay(b)
			if _, err := client.ov.dir.Add(relay.raw, relay.ov.ID()); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var sent atomic.Int64
			var wg sync.WaitGroup
			if flood {
				s := rawLink(b, ctx, relay)
				wg.Add(1)
				go func() { defer wg.Done(); floodCreates(ctx, s, onion.OnionKeyID(relay.desc.OnionKey), &sent) }()
			}
			var times []time.Duration
			start := time.Now()
			for b.Loop() {
				t0 := time.Now()
				c, err := client.o.build(ctx, []*Descriptor{relay.desc})
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
				c.Close()
			}
			elapsed := time.Since(start)
			cancel()
			wg.Wait()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(sent.Load())/elapsed.Seconds(), "creates/s")
		})
	}
}

// benchRelay is a loopback relay whose /16 bucket lets every loopback
// host through (they all share 127.0.0.0/16).
func benchRelay(b *testing.B) *netNode {
	return floodNode(b, RoleRelay|RoleGateway, RelayLimits{SubnetCreateRate: 1e6, SubnetCreateBurst: 1e6})
}
