package testnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// stealthWorkers is how many confined stealth workers TestStealthWorkersNeverTouchGateway runs.
const stealthWorkers = 10

// TestStealthWorkersNeverTouchGateway: the attacker is company A's gateway,
// which also relays and claims far more bandwidth than any relay, so that
// bandwidth-weighted guard selection would pick it. Ten confined stealth
// workers start, reach the gateway through circuits, stop, and start again
// on the same data directories (fresh identities, guards persisted). The
// gateway never holds a connection to any of them, seen from both sides as
// connections are made, and no worker ever samples it as a guard.
func TestStealthWorkersNeverTouchGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	net, err := Start(t.TempDir(), Options{N: 6, Configure: func(i int, c *node.Config) {
		if i == 0 { // the gateway, bootstrap peer of the relays
			gatewayConfig(c)
			c.Bandwidth = 1 << 40
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, 5); err != nil {
		t.Fatal(err)
	}
	gw := net.Nodes[0]
	seen := &peerSet{m: map[peer.ID]bool{}} // every peer that ever connected to the gateway
	gw.Overlay().Host().Network().Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) { seen.add(c.RemotePeer()) },
	})
	for _, c := range gw.Overlay().Host().Network().Conns() {
		seen.add(c.RemotePeer())
	}
	dirs := make([]string, stealthWorkers)
	for i := range dirs {
		dirs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("stealth%02d", i))
	}
	var ids []peer.ID
	var persisted [][]overlay.GuardEntry
	for gen := range 2 {
		workers := make([]*stealthWorker, stealthWorkers)
		for i := range workers {
			workers[i] = startStealthWorker(t, net, dirs[i], gw.ID())
			ids = append(ids, workers[i].ID())
		}
		for _, w := range workers {
			waitAccount(ctx, t, w.Node)
		}
		for i, w := range workers {
			checkNoGateway(t, w, gw)
			entries := readGuardFile(t, dirs[i])
			if len(entries) == 0 {
				t.Fatalf("generation %d worker %d persisted no guards", gen, i)
			}
			if gen == 1 && !holdsAll(entries, persisted[i]) {
				t.Errorf("worker %d dropped the guards it persisted before the restart", i)
			}
			if gen == 0 {
				persisted = append(persisted, entries)
			}
		}
		for _, w := range workers {
			w.stop()
		}
	}
	for i, id := range ids {
		if seen.has(id) {
			t.Errorf("stealth worker %d (generation %d) connected to the gateway", i%stealthWorkers, i/stealthWorkers)
		}
	}
}

// stealthWorker is a confined stealth worker run outside the Net, so the
// test can stop and restart it.
type stealthWorker struct {
	*node.Node
	toGateway *peerSet // connections this worker made to the gateway
	stop      func()
}

func startStealthWorker(t *testing.T, net *Net, dir string, gw peer.ID) *stealthWorker {
	t.Helper()
	return startStealthWorkerWith(t, net, dir, gw, nil)
}

// startStealthWorkerWith is startStealthWorker with the config changed by
// configure, if set, last.
func startStealthWorkerWith(t *testing.T, net *Net, dir string, gw peer.ID, configure func(c *node.Config)) *stealthWorker {
	t.Helper()
	c := net.opts.config(net.dir, 0, net.Nodes[1].P2PAddrs())
	c.DataDir = dir
	workerConfig(node.WorkerStealth)(&c)
	if configure != nil {
		configure(&c)
	}
	nd, err := node.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &stealthWorker{Node: nd, toGateway: &peerSet{m: map[peer.ID]bool{}}}
	nd.Overlay().Host().Network().Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			if c.RemotePeer() == gw {
				w.toGateway.add(gw)
			}
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); nd.Run(ctx) }()
	w.stop = sync.OnceFunc(func() {
		cancel()
		<-done
		nd.Close()
	})
	t.Cleanup(w.stop)
	return w
}

// waitAccount waits until w has reached the gateway through a circuit.
func waitAccount(ctx context.Context, t *testing.T, w *node.Node) {
	t.Helper()
	for {
		_, err := w.WorkerAccount(ctx)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("stealth worker never reached the gateway: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkNoGateway: w holds and made no connection to gw and has no guard
// that is gw, in its status or its sampled set.
func checkNoGateway(t *testing.T, w *stealthWorker, gw *node.Node) {
	t.Helper()
	if w.toGateway.has(gw.ID()) || len(w.Overlay().Host().Network().ConnsToPeer(gw.ID())) > 0 {
		t.Error("a stealth worker connected to the gateway")
	}
	for _, g := range w.Status().Guards {
		if g.Peer == gw.ID().String() {
			t.Error("the gateway is a stealth worker's primary guard")
		}
	}
	for _, e := range readGuardFile(t, w.DataDir()) {
		if e.Peer == gw.ID() {
			t.Error("the gateway is in a stealth worker's sampled guard set")
		}
	}
	if len(w.Overlay().Addrs()) != 0 {
		t.Error("a stealth worker listens")
	}
}

func readGuardFile(t *testing.T, dir string) []overlay.GuardEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "guards.json"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := overlay.ParseGuardFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func holdsAll(now, before []overlay.GuardEntry) bool {
	have := map[peer.ID]bool{}
	for _, e := range now {
		have[e.Peer] = true
	}
	for _, e := range before {
		if !have[e.Peer] {
			return false
		}
	}
	return true
}

type peerSet struct {
	mu sync.Mutex
	m  map[peer.ID]bool
}

func (s *peerSet) add(p peer.ID) {
	s.mu.Lock()
	s.m[p] = true
	s.mu.Unlock()
}

func (s *peerSet) has(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[p]
}
