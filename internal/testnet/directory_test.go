package testnet

import (
	"context"
	"testing"
	"time"

	"cyclecash/overlay"
)

// TestDirectoryConverges: on 20 real nodes every directory holds at least
// 15 verified descriptors within a minute, and a descriptor re-published
// with a new sequence number reaches every other node.
func TestDirectoryConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("20-node network")
	}
	net, err := Start(t.TempDir(), Options{N: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	// Bounds generous enough for -race on a loaded 2-core machine; a
	// healthy run converges in under 10 s.
	wctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	if err := net.WaitDirectory(wctx, 15); err != nil {
		t.Fatal(err)
	}
	t.Logf("every directory holds >= 15 descriptors after %v", time.Since(start).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Node 7 re-publishes: a higher seq must replace the old one everywhere.
	src := net.Nodes[7].Overlay()
	if err := src.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	want := src.Seq()
	for i, nd := range net.Nodes {
		if i == 7 {
			continue
		}
		for {
			d, ok := nd.Overlay().Directory().Get(src.ID())
			if ok && d.Seq >= want {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("node %d never saw seq %d of node 7", i, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for i, nd := range net.Nodes {
		if rej := nd.Overlay().Directory().Rejections(); rej[overlay.ErrBadSignature.Error()] > 0 {
			t.Errorf("node %d rejected genuine descriptors: %v", i, rej)
		}
	}
}
