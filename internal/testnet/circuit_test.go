package testnet

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"
)

// gatewayNet starts n nodes, the last one a gateway, and waits until every
// directory knows all of them. Node 1 plays the client.
func gatewayNet(t *testing.T, n int, configure func(i int, c *node.Config)) (*Net, *node.Node, *node.Node) {
	t.Helper()
	net, err := Start(t.TempDir(), Options{N: n, Configure: configure, Roles: func(i int) []string {
		if i == n-1 {
			return []string{"relay", "gateway"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, n-1); err != nil {
		t.Fatal(err)
	}
	return net, net.Nodes[1], net.Nodes[n-1]
}

// dial3 opens a stream to service at gw through 3 relays; closed at cleanup.
func dial3(t *testing.T, client, gw *node.Node, service string) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := client.DialService(ctx, node.Target{Peer: gw.ID(), Hops: 3}, service)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// echoTransfer writes size random bytes through an echo stream while
// reading them back, and checks they return intact.
func echoTransfer(t *testing.T, conn net.Conn, size int) error {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		werr <- err
	}()
	h := sha256.New()
	n, err := io.CopyN(h, conn, int64(size))
	if err != nil {
		return err
	}
	if err := <-werr; err != nil {
		return err
	}
	if want := sha256.Sum256(data); n != int64(size) || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatalf("echoed %d bytes, content differs", n)
	}
	return nil
}

// TestCircuitEcho: a 3-relay circuit to a gateway's echo service carries
// data both ways intact; an unknown service, or any service at a node that
// is not a gateway, is refused with ErrServiceRefused.
func TestCircuitEcho(t *testing.T) {
	net, client, gw := gatewayNet(t, 8, nil)
	conn := dial3(t, client, gw, overlay.EchoService)
	if err := echoTransfer(t, conn, 1<<20); err != nil {
		t.Fatal(err)
	}
	// Every relay of the path counted what it carried for the client: 1 MiB
	// each way, in cells of at most 488 data bytes. The gateway, where the
	// circuit ends, counts what arrived (its answers leave, not arrive).
	path := hopsOf(t, net, client)
	if len(path) != 4 || path[3] != gw {
		t.Fatalf("path of %d nodes", len(path))
	}
	for i, hop := range path {
		want := uint64(2 << 20)
		if hop == gw {
			want = 1 << 20
		}
		if got := hop.Onion().RelayedBytes(); got < want {
			t.Errorf("hop %d counted %d relayed bytes, want at least %d", i, got, want)
		}
	}
	if got := client.Onion().RelayedBytes(); got != 0 {
		t.Errorf("the client counted %d bytes relayed for others", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, dest := range []*node.Node{gw, net.Nodes[3]} {
		_, err := client.DialService(ctx, node.Target{Peer: dest.ID(), Hops: 2}, "nosuch")
		if !errors.Is(err, overlay.ErrServiceRefused) {
			t.Fatalf("unknown service: %v, want ErrServiceRefused", err)
		}
	}
}

// TestCircuitBulk64MiB: 64 MiB each way through guard, two middles and the
// gateway's echo service, intact (8 MiB under the race detector, which slows
// the crypto about tenfold).
func TestCircuitBulk64MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk transfer")
	}
	_, client, gw := gatewayNet(t, 8, nil)
	conn := dial3(t, client, gw, overlay.EchoService)
	size := 64 << 20
	if raceEnabled {
		size = 8 << 20
	}
	start := time.Now()
	if err := echoTransfer(t, conn, size); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d MiB each way in %v", size>>20, time.Since(start))
}
