package testnet

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"cyclecash/internal/procstat"
	"cyclecash/node"
)

// BenchmarkNodeStartToDHT: from node.New to a routing table holding at
// least one peer, joining a running 5-node network. The baseline metric is
// the time of New alone (keys on disk, host bound) in the same run.
func BenchmarkNodeStartToDHT(b *testing.B) {
	net, err := Start(b.TempDir(), Options{N: 5})
	if err != nil {
		b.Fatal(err)
	}
	defer net.Close()
	boot := net.Nodes[0].P2PAddrs()
	var newTotal time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		n, err := node.New(Options{}.config(b.TempDir(), 0, boot), nil)
		if err != nil {
			b.Fatal(err)
		}
		newTotal += time.Since(start)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { n.Run(ctx); close(done) }()
		for n.Overlay().RoutingTableSize() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
		n.Close()
	}
	b.ReportMetric(float64(newTotal.Microseconds())/float64(b.N)/1000, "ms-new-only/op")
}

// BenchmarkThirtyNodesRSS: resident memory of 30 idle nodes in one process,
// against the process's RSS before they started (the baseline).
func BenchmarkThirtyNodesRSS(b *testing.B) {
	for b.Loop() {
		debug.FreeOSMemory() // earlier iterations' heap back to the OS first
		before := rssMiB(b)
		net, err := Start(b.TempDir(), Options{N: 30})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if err := net.WaitDirectory(ctx, 20); err != nil {
			b.Fatal(err)
		}
		cancel()
		time.Sleep(5 * time.Second) // settle into idle
		runtime.GC()
		after := rssMiB(b)
		net.Close()
		b.ReportMetric(before, "MiB-baseline")
		b.ReportMetric(after, "MiB-30-nodes")
		b.ReportMetric((after-before)/30, "MiB/node")
	}
}

func rssMiB(b *testing.B) float64 {
	mib, err := procstat.RSSMiB(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	return mib
}
