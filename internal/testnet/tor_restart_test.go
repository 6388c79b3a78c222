package testnet

import (
	"context"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay/tor/tortest"

	"github.com/libp2p/go-libp2p/core/peer"
)

// torKilledMidRun: the attacker kills the stealth worker's tor while the
// node runs (or it crashes), hoping the worker's next guard link goes out
// directly and names its address. The node keeps running and says so in
// its status in one line without an address, its node keeps tor.fallback
// off, so a link it opens meanwhile fails or (once tor is back) leaves
// through an exit; the node starts tor again and links through it. On the
// old code tor stayed dead: the status never came back to ready.
func torKilledMidRun(ctx context.Context, t *testing.T, tn *tortest.Network, net *Net, w *node.Node) {
	if w == nil {
		t.Fatal("no tor worker (the previous subtest failed)")
	}
	pids := tortest.TorProcessesUsing(w.DataDir())
	if len(pids) != 1 {
		t.Fatalf("the worker's tor processes: %v", pids)
	}
	guards := w.Status().Guards
	if len(guards) == 0 {
		t.Fatal("the worker has no guards")
	}
	g, err := peer.Decode(guards[0].Peer)
	if err != nil {
		t.Fatal(err)
	}
	guard := nodeByID(t, net, g)
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for w.Status().Tor.Phase == "ready" && w.Status().Tor.Restarts == 0 {
		if ctx.Err() != nil {
			t.Fatal("the status still says ready after tor was killed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A link opened now must not go direct: it fails, or goes through the
	// restarted tor if that was quick.
	_ = w.Overlay().Host().Network().ClosePeer(g)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = w.Overlay().Host().Connect(cctx, peer.AddrInfo{ID: g})
	cancel()
	checkLinksFromExits(t, tn, guard, w)
	st := waitRestarted(ctx, t, w)
	for _, line := range []string{st.LastExit, st.Error} {
		if strings.Contains(line, "\n") || strings.Contains(line, "127.0.0.1") {
			t.Fatalf("tor status line %q spans lines or names an address", line)
		}
	}
	if !strings.Contains(st.LastExit, "tor process exited") {
		t.Fatalf("last exit %q does not say tor exited", st.LastExit)
	}
	for err != nil { // the attempt failed while tor was down: link again
		if ctx.Err() != nil {
			t.Fatalf("no guard link through the restarted tor: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // until the node forgot the failed dials
		// The failures may have moved the worker to another guard.
		if g, err = w.PickGuard(); err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = w.Overlay().Host().Connect(cctx, peer.AddrInfo{ID: g})
		cancel()
	}
	guard = nodeByID(t, net, g)
	if len(guard.Overlay().Host().Network().ConnsToPeer(w.ID())) == 0 {
		t.Fatal("the guard holds no link from the worker after the restart")
	}
	checkLinksFromExits(t, tn, guard, w)
	if now := tortest.TorProcessesUsing(w.DataDir()); len(now) != 1 || now[0] == pids[0] {
		t.Fatalf("the worker's tor processes after restart: %v (killed %d)", now, pids[0])
	}
}

// waitRestarted waits until the worker's tor is ready again after one restart.
func waitRestarted(ctx context.Context, t *testing.T, w *node.Node) *node.TorStatus {
	t.Helper()
	for {
		st := w.Status().Tor
		if st.Phase == "ready" && st.Restarts >= 1 {
			return st
		}
		if ctx.Err() != nil {
			t.Fatalf("tor never came back: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkLinksFromExits fails if nd holds a link from w whose socket is not
// a tor exit's.
func checkLinksFromExits(t *testing.T, tn *tortest.Network, nd, w *node.Node) {
	t.Helper()
	exits := pidsOf(tn.Exits())
	for _, c := range nd.Overlay().Host().Network().ConnsToPeer(w.ID()) {
		if owner := socketOwner(t, c); owner != 0 && !slices.Contains(exits, owner) {
			t.Errorf("the guard sees the worker's link from pid %d, not a tor exit %v (we are %d)", owner, exits, os.Getpid())
		}
	}
}

func nodeByID(t *testing.T, net *Net, id peer.ID) *node.Node {
	t.Helper()
	for _, nd := range net.Nodes {
		if nd.ID() == id {
			return nd
		}
	}
	t.Fatalf("guard %s is not a node of the network", id.ShortString())
	return nil
}
