package testnet

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestStealthGuardHold: the attacker runs relays and waits for the day a
// stealth worker's guard is down, when guard-spec would send the worker to
// its next primary guard, one more relay that learns its address. With a
// guard hold (guard_hold, a day by default for stealth nodes; seconds
// here) the worker, once its confirmed guard is killed, builds no circuit
// and opens no connection to any peer but that guard (not even its
// bootstrap peer) until the hold has passed; its status shows the other primaries held back; then it
// builds through its next primary. Before the hold it contacts no guard but
// the first either: its directory comes from that guard alone.
func TestStealthGuardHold(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	const hold = 8 * time.Second
	net, err := Start(t.TempDir(), Options{N: 6, Configure: func(i int, c *node.Config) {
		if i == 0 {
			gatewayConfig(c)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := net.WaitDirectory(ctx, 5); err != nil {
		t.Fatal(err)
	}
	gw, boot := net.Nodes[0], net.Nodes[1].ID()
	var mu sync.Mutex
	type conn struct {
		p  peer.ID
		at time.Time
	}
	var contacted []conn // every connection the worker made
	w := startStealthWorkerWith(t, net, filepath.Join(t.TempDir(), "stealth"), gw.ID(), func(c *node.Config) {
		c.GuardHold = hold
	})
	w.Overlay().Host().Network().Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			mu.Lock()
			contacted = append(contacted, conn{c.RemotePeer(), time.Now()})
			mu.Unlock()
		},
	})
	mu.Lock()
	for _, c := range w.Overlay().Host().Network().Conns() {
		contacted = append(contacted, conn{c.RemotePeer(), time.Time{}})
	}
	mu.Unlock()
	waitAccount(ctx, t, w.Node)
	time.Sleep(4 * time.Second) // more directory rounds (GatherEvery is 3 s here) with the guards chosen
	set := w.Status().GuardSet
	if len(set) < 2 || !set[0].Confirmed || !set[1].Primary {
		t.Fatalf("guard set %+v: want a confirmed first guard and another primary", set)
	}
	first, err := peer.Decode(set[0].Peer)
	if err != nil {
		t.Fatal(err)
	}
	others := map[peer.ID]bool{}
	for _, g := range set[1:] {
		if p, _ := peer.Decode(g.Peer); p != boot {
			others[p] = true
		}
	}
	contactedOthers := func(what string, since time.Time, allowed func(peer.ID) bool) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range contacted {
			if !c.at.Before(since) && !allowed(c.p) {
				t.Fatalf("%s, the worker connected to a peer other than its first guard", what)
			}
		}
	}
	contactedOthers("while its first guard worked", time.Time{}, func(p peer.ID) bool { return !others[p] })

	var killed *node.Node
	for _, nd := range net.Nodes {
		if nd.ID() == first {
			killed = nd
		}
	}
	if killed == nil {
		t.Fatal("the first guard is no node of the network")
	}
	killed.Close()
	killedAt := time.Now()
	sawHeld := false
	for time.Since(killedAt) < hold-3*time.Second {
		c, err := w.BuildCircuit(ctx, node.Target{Role: overlay.RoleGateway})
		if err == nil {
			c.Close()
			if time.Since(killedAt) < hold {
				t.Fatalf("a circuit was built %v after the first guard died, within the %v hold", time.Since(killedAt), hold)
			}
			break
		}
		if !errors.Is(err, overlay.ErrNoGuard) {
			t.Fatalf("during the hold: %v, want ErrNoGuard", err)
		}
		sawHeld = sawHeld || strings.Contains(err.Error(), "waiting for primary guard")
		for _, g := range w.Status().GuardSet {
			if g.Primary && g.Excluded == overlay.GuardHeld {
				sawHeld = true
			}
		}
	}
	if !sawHeld {
		t.Fatal("neither the errors nor the status said the worker waits for its guard")
	}
	contactedOthers("during the hold", killedAt, func(p peer.ID) bool { return p == first })

	for {
		c, err := w.BuildCircuit(ctx, node.Target{Role: overlay.RoleGateway})
		if err == nil {
			c.Close()
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no circuit after the hold: %v", err)
		}
	}
	if since := time.Since(killedAt); since < hold {
		t.Fatalf("a circuit was built %v after the first guard died, within the %v hold", since, hold)
	}
	confirmed := 0
	for _, g := range w.Status().GuardSet {
		if g.Confirmed && g.Peer != first.String() {
			confirmed++
		}
	}
	if confirmed == 0 {
		t.Fatal("after the hold no other guard carried a circuit")
	}
}
