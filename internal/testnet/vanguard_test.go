package testnet

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestHSCircuitsThroughVanguards: the attacker is a rendezvous point or
// introduction point that makes a service (and a client) build circuit
// after circuit to learn its guard from the relay next to it. On a test
// network the client fetches the service's page several times; every
// relay's circuit table is read after each fetch, and every circuit that
// the service's or client's node built (Prev is that node, so this relay
// is its guard) goes on to one of that node's layer-2 guards, shown in its
// status and never more than overlay.L2Size of them.
func TestHSCircuitsThroughVanguards(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	n, svc, client := vanguardNet(t)
	addr := svc.HiddenServices()[0].Address
	seen := map[peer.ID]map[peer.ID]bool{svc.ID(): {}, client.ID(): {}}
	for i := range 6 {
		if _, err := getThroughSocks(client.SocksAddr().String(), addr); err != nil {
			t.Fatalf("fetch %d: %v", i, err)
		}
		for _, nd := range n.Nodes {
			for _, rc := range nd.Onion().RelayedCircuits() {
				if next, ok := seen[rc.Prev]; ok && rc.Next != "" {
					next[rc.Next] = true
				}
			}
		}
	}
	for _, nd := range []*node.Node{svc, client} {
		l2 := map[string]bool{}
		for _, v := range nd.Status().Vanguards {
			l2[v.Peer] = true
		}
		if len(l2) != overlay.L2Size {
			t.Fatalf("status shows %d layer-2 guards, want %d", len(l2), overlay.L2Size)
		}
		if len(seen[nd.ID()]) == 0 {
			t.Fatal("no circuit of the node seen at its guard")
		}
		for p := range seen[nd.ID()] {
			if !l2[p.String()] {
				t.Errorf("a hidden-service circuit's second hop is not a layer-2 guard of its node")
			}
		}
	}
}

// vanguardNet is hsNet with 10 relays, and the service (node 6) and the
// client (node 7) no relays: a circuit leaving either is then its own, never one it
// relays for others.
func vanguardNet(t *testing.T) (*Net, *node.Node, *node.Node) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, hsSecretPage) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	n, err := Start(t.TempDir(), Options{N: 12, Roles: func(i int) []string {
		if i == 6 || i == 7 {
			return []string{"worker"}
		}
		return nil
	}, Configure: func(i int, c *node.Config) {
		switch i {
		case 6:
			c.HiddenServices = []node.HSServiceConfig{{Name: "web", Ports: []string{"80 " + ln.Addr().String()}}}
			c.HSRepublishForTest = 2 * time.Second
		case 7:
			c.Socks = "127.0.0.1:0"
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.WaitDirectory(ctx, 10); err != nil {
		t.Fatal(err)
	}
	svc := n.Nodes[6]
	waitHSPublished(ctx, t, svc)
	return n, svc, n.Nodes[7]
}
