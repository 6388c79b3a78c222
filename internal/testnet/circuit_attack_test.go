package testnet

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/onion"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// recorder is a gateway service keeping what each stream received and who
// the gateway saw at the other end.
type recorder struct {
	mu     sync.Mutex
	remote []string
	got    bytes.Buffer
}

func (r *recorder) serve(c net.Conn) {
	defer c.Close()
	r.mu.Lock()
	r.remote = append(r.remote, c.RemoteAddr().String())
	r.mu.Unlock()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		r.mu.Lock()
		r.got.Write(buf[:n])
		r.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// hopsOf follows the circuit from client through the relays' own circuit
// tables and returns the nodes in path order, destination last.
func hopsOf(t *testing.T, net *Net, client *node.Node) []*node.Node {
	t.Helper()
	byID := map[peer.ID]*node.Node{}
	for _, n := range net.Nodes {
		byID[n.ID()] = n
	}
	var path []*node.Node
	prev := client.ID()
	for len(path) <= onion.MaxHops {
		var next *node.Node
		for _, n := range net.Nodes {
			for _, rc := range n.Onion().RelayedCircuits() {
				if rc.Prev == prev {
					next = n
				}
			}
		}
		if next == nil {
			return path
		}
		path = append(path, next)
		prev = next.ID()
	}
	t.Fatal("circuit loops")
	return nil
}

// onionStreams counts a host's onion link streams to p.
func onionStreams(n *node.Node, p peer.ID) int {
	count := 0
	for _, c := range n.Overlay().Host().Network().ConnsToPeer(p) {
		for _, s := range c.GetStreams() {
			if s.Protocol() == overlay.OnionProtocol {
				count++
			}
		}
	}
	return count
}

// TestWhatEachPartyLearns: the gateway's view of a stream is the last
// relay, never the client; the guard's circuit table has the client and
// the next relay but not the destination; read from the nodes' own state.
func TestWhatEachPartyLearns(t *testing.T) {
	t.Parallel()
	net, client, gw := gatewayNet(t, 8, nil)
	rec := &recorder{}
	gw.Handle("record", rec.serve)
	conn := dial3(t, client, gw, "record")
	conn.Write([]byte("hello"))
	conn.Close()
	waitFor(t, func() bool { rec.mu.Lock(); defer rec.mu.Unlock(); return rec.got.Len() == 5 })

	path := hopsOf(t, net, client)
	if len(path) != 4 || path[3] != gw {
		t.Fatalf("circuit has %d hops, want guard, 2 middles and the gateway", len(path))
	}
	guard, last := path[0], path[2]
	if rec.remote[0] != last.ID().String() || rec.remote[0] == client.ID().String() {
		t.Fatalf("gateway saw %s, want only the last relay", rec.remote[0])
	}
	for _, rc := range gw.Onion().RelayedCircuits() {
		if rc.Prev != last.ID() || rc.Next != "" {
			t.Fatalf("gateway's circuit table names %s/%s, want only the last relay", rc.Prev, rc.Next)
		}
	}
	for _, rc := range guard.Onion().RelayedCircuits() {
		if rc.Prev != client.ID() || rc.Next != path[1].ID() {
			t.Fatalf("guard's circuit joins %s and %s, want the client and the first middle", rc.Prev, rc.Next)
		}
	}
	if onionStreams(gw, client.ID()) != 0 || onionStreams(client, gw.ID()) != 0 {
		t.Fatal("client and gateway share an onion link")
	}
	if onionStreams(guard, gw.ID()) != 0 {
		t.Fatal("the guard has an onion link to the destination")
	}
	if onionStreams(client, guard.ID()) != 1 {
		t.Fatal("the client has no onion link to its guard")
	}
}

// TestTaggingOverNetwork: the guard flips one bit of one relay cell from the
// client; the gateway closes the circuit, the client sees a clear error and
// the service never receives a modified byte.
func TestTaggingOverNetwork(t *testing.T) {
	t.Parallel()
	net, client, gw := gatewayNet(t, 8, nil)
	rec := &recorder{}
	gw.Handle("record", rec.serve)
	conn := dial3(t, client, gw, "record")
	guard := hopsOf(t, net, client)[0]
	var mu sync.Mutex
	seen := 0
	guard.Onion().SetTamperHook(func(from peer.ID, c *onion.Cell) {
		mu.Lock()
		defer mu.Unlock()
		if from == client.ID() && c.Cmd() == onion.CmdRelay {
			if seen++; seen == 10 {
				c[300] ^= 0x04
			}
		}
	})
	data := make([]byte, 200*onion.MaxRelayData)
	rand.Read(data)
	_, werr := conn.Write(data)
	_, rerr := conn.Read(make([]byte, 1))
	for _, err := range []error{werr, rerr} {
		if err != nil && (!errors.Is(err, overlay.ErrCircuitBroken) || !errors.Is(err, onion.ErrTagMismatch)) {
			t.Fatalf("client error %v, want ErrCircuitBroken wrapping ErrTagMismatch", err)
		}
	}
	if rerr == nil {
		t.Fatal("client read succeeded after tampering")
	}
	waitFor(t, func() bool { return len(gw.Onion().RelayedCircuits()) == 0 })
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if got := rec.got.Bytes(); len(got) >= len(data) || !bytes.HasPrefix(data, got) {
		t.Fatalf("service received %d bytes that are not an intact prefix", len(got))
	}
}

// TestMiddleRelayDies: killing a middle relay mid-transfer gives the client
// an error wrapping ErrCircuitBroken (bounded by the test's context, not a
// timed assertion), and the next DialService succeeds on a new circuit.
// "Mid-transfer" is an event: the middle has relayed a MiB of it.
func TestMiddleRelayDies(t *testing.T) {
	t.Parallel()
	net, client, gw := gatewayNet(t, 8, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := client.DialService(ctx, node.Target{Peer: gw.ID(), Hops: 3}, overlay.EchoService)
	if err != nil {
		t.Fatal(err)
	}
	middle := hopsOf(t, net, client)[1]
	done := make(chan error, 1)
	go func() { done <- echoTransfer(t, conn, 256<<20) }()
	waitFor(t, func() bool { return middle.Onion().RelayedBytes() >= 1<<20 })
	middle.Close()
	select {
	case err := <-done:
		if !errors.Is(err, overlay.ErrCircuitBroken) {
			t.Fatalf("transfer ended with %v, want ErrCircuitBroken", err)
		}
	case <-ctx.Done():
		t.Fatal("client never noticed the dead relay")
	}
	conn.Close()
	conn, err = client.DialService(ctx, node.Target{Peer: gw.ID(), Hops: 3}, overlay.EchoService)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := echoTransfer(t, conn, 1<<20); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
