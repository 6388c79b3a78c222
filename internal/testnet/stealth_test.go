package testnet

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestClientOnlyConfinement: a client-only (stealth) node learns the
// directory from its bootstrap peer and guards alone, reaches a gateway
// service through a circuit, and no node but those it was allowed to dial
// ever holds a connection to it: not the gateway, not the DHT.
func TestClientOnlyConfinement(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	t.Parallel()
	net, err := Start(t.TempDir(), Options{N: 8, Roles: func(i int) []string {
		if i == 7 {
			return []string{"relay", "gateway"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := net.WaitDirectory(ctx, 7); err != nil {
		t.Fatal(err)
	}
	client, err := net.Add(1, func(c *node.Config) { c.ClientOnly = true; c.Listen = nil; c.Roles = nil })
	if err != nil {
		t.Fatal(err)
	}
	for client.Overlay().Directory().Len() < 8 {
		if ctx.Err() != nil {
			t.Fatalf("client directory holds %d descriptors", client.Overlay().Directory().Len())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(client.Overlay().Addrs()) != 0 || client.Overlay().RoutingTableSize() != 0 {
		t.Fatal("client-only node listens or runs a DHT")
	}
	gw := net.Nodes[7]
	conn, err := client.DialService(ctx, node.Target{Peer: gw.ID()}, overlay.EchoService)
	if err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("stealth"), 1000)
	go conn.Write(msg)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(conn, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo through circuit: %v", err)
	}
	conn.Close()

	allowed := map[peer.ID]bool{net.Nodes[1].ID(): true}
	for _, g := range client.Status().Guards {
		id, _ := peer.Decode(g.Peer)
		allowed[id] = true
	}
	if allowed[gw.ID()] {
		t.Error("the gateway is one of the client's entry guards: it would learn the client's address")
	}
	for i, nd := range net.Nodes[:8] {
		conns := nd.Overlay().Host().Network().ConnsToPeer(client.ID())
		if len(conns) > 0 && !allowed[nd.ID()] {
			t.Errorf("node %d (not bootstrap or guard) holds a connection to the client", i)
		}
		if i == 7 && len(conns) > 0 {
			t.Error("the gateway sees the client directly")
		}
	}
	// Even asked to, the client cannot dial a peer outside its guards.
	ai := peer.AddrInfo{ID: gw.ID(), Addrs: gw.Overlay().Addrs()}
	if err := client.Overlay().Host().Connect(ctx, ai); err == nil {
		t.Fatal("client-only node dialled the gateway directly")
	}
	// A client-only node takes a fresh identity per start.
	again, err := net.Add(1, func(c *node.Config) {
		c.ClientOnly, c.Listen, c.Roles, c.DataDir = true, nil, nil, client.DataDir()
	})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID() == client.ID() {
		t.Fatal("client-only identity persisted across starts")
	}
}
