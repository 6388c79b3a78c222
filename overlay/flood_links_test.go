package overlay

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// TestLinksPerNeighbour: attacker = a neighbour opening link after link to
// multiply its per-link circuit quota (about 65 streams bought 33k
// circuits). The relay keeps one link per neighbour and resets the rest,
// counted; the old relay accepted every one, and then two.
func TestLinksPerNeighbour(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	relay := floodNode(t, RoleRelay, RelayLimits{})
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	h, err := New(Config{Identity: id, Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}, PoWBits: testPoWBits})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h.Host().Peerstore().AddAddrs(relay.ov.ID(), relay.ov.Addrs(), peerstore.TempAddrTTL)
	for range 5 {
		s, err := h.Host().NewStream(ctx, relay.ov.ID(), OnionProtocol)
		if err != nil {
			t.Fatal(err)
		}
		pad := make([]byte, onion.CellSize) // circuit 0: link padding; opens the stream at the relay
		if _, err := s.Write(pad); err != nil {
			t.Fatal(err)
		}
	}
	for relay.o.DefenceCounters().LinksRefused < 4 {
		select {
		case <-ctx.Done():
			t.Fatalf("links refused: %d, want 4 of 5", relay.o.DefenceCounters().LinksRefused)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if n := len(relay.o.Links()); n != maxLinksPerPeer {
		t.Fatalf("relay holds %d links with one neighbour, want %d", n, maxLinksPerPeer)
	}
}

// TestSimultaneousOpen: two relays dial each other at once, each seeing
// the other's stream before its own dial completes. Both keep the same
// link, the one the lower peer ID dialed, close the other once idle, and
// carry circuits both ways over it.
func TestSimultaneousOpen(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	a := floodNode(t, RoleRelay|RoleGateway, RelayLimits{})
	b := floodNode(t, RoleRelay|RoleGateway, RelayLimits{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dialed := crossDial(t, ctx, 50*time.Millisecond, a, b)
	for i, n := range []*netNode{a, b} {
		n.o.mu.Lock()
		n.o.admitLink(dialed[i], true) // then its own dial completes
		n.o.unlock()
	}
	awaitLinks(t, ctx, 1, a, b)
	aDialed := a.ov.ID() < b.ov.ID()
	for i, n := range []*netNode{a, b} {
		other := []*netNode{b, a}[i]
		n.o.mu.Lock()
		l := n.o.byPeer[other.ov.ID()]
		n.o.unlock()
		if l == nil || l.weDialed != (aDialed == (n == a)) {
			t.Fatalf("node %d kept the link the higher peer ID dialed", i)
		}
		c, err := n.o.build(ctx, []*Descriptor{other.desc})
		if err != nil {
			t.Fatal(err)
		}
		s, err := c.Dial(ctx, "echo")
		if err != nil {
			t.Fatal(err)
		}
		if chunk := bytes.Repeat([]byte("both ways "), 1000); echo(s, chunk) != int64(len(chunk)) {
			t.Fatalf("node %d: echo over the kept link failed", i)
		}
	}
	if links := len(a.o.Links()) + len(b.o.Links()); links != 2 {
		t.Fatalf("%d links after circuits both ways, want one each side", links)
	}
}

// crossDial makes a and b dial each other, each taking the other's dial
// as its link first, and returns their own dials, not yet admitted.
func crossDial(t *testing.T, ctx context.Context, grace time.Duration, a, b *netNode) [2]network.Stream {
	t.Helper()
	var dialed [2]network.Stream
	for i, n := range []*netNode{a, b} {
		other := []*netNode{b, a}[i]
		n.o.retireGrace = grace
		n.o.Handle("echo", func(c net.Conn) { defer c.Close(); _, _ = io.Copy(c, c) })
		if _, err := n.ov.dir.Add(other.raw, other.ov.ID()); err != nil {
			t.Fatal(err)
		}
		n.ov.Host().Peerstore().AddAddrs(other.ov.ID(), other.ov.Addrs(), peerstore.TempAddrTTL)
		s, err := n.ov.Host().NewStream(ctx, other.ov.ID(), OnionProtocol)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write(make([]byte, onion.CellSize)); err != nil { // opens it at the other end
			t.Fatal(err)
		}
		dialed[i] = s
	}
	awaitLinks(t, ctx, 1, a, b)
	return dialed
}

// TestRetiredLinkDropsCreates: attacker = the neighbour of a simultaneous
// open that keeps creating circuits on the retiring link, so that it stays
// busy and open as a second link with its own quota. Past the grace its
// CREATEs are dropped and counted; the circuit already on it keeps working.
func TestRetiredLinkDropsCreates(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	lo := floodNode(t, RoleRelay|RoleGateway, RelayLimits{})
	hi := floodNode(t, RoleRelay|RoleGateway, RelayLimits{})
	if hi.ov.ID() < lo.ov.ID() {
		lo, hi = hi, lo
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dialed := crossDial(t, ctx, time.Hour, lo, hi)
	hi.o.mu.Lock()
	hi.o.admitLink(dialed[1], true) // hi retires its own dial, within its grace
	hi.o.unlock()
	c, err := lo.o.build(ctx, []*Descriptor{hi.desc}) // over hi's dial: lo has not seen its own yet
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Dial(ctx, "echo")
	if err != nil {
		t.Fatal(err)
	}
	lo.o.mu.Lock()
	lo.o.retireGrace = 0
	lo.o.admitLink(dialed[0], true) // lo retires hi's dial, busy, past its grace at once
	lo.o.unlock()
	hi.o.mu.Lock()
	var retired *link
	for _, l := range hi.o.links {
		if l.retiring {
			retired = l
		}
	}
	if retired == nil {
		hi.o.unlock()
		t.Fatal("no retiring link at the higher peer ID")
	}
	id, err := hi.o.relay.ReserveCircID(retired.id, retired.weDialed)
	if err != nil {
		hi.o.unlock()
		t.Fatal(err)
	}
	_, create, err := onion.NewClientCircuit(rand.Reader, id, hopSpec(lo.desc))
	if err != nil {
		hi.o.unlock()
		t.Fatal(err)
	}
	retired.enqueue(create)
	hi.o.unlock()
	for lo.o.DefenceCounters().RetiredCreates < 1 {
		select {
		case <-ctx.Done():
			t.Fatal("the CREATE on the retired link was not dropped")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if chunk := bytes.Repeat([]byte("still here "), 1000); echo(s, chunk) != int64(len(chunk)) {
		t.Fatal("the circuit on the retiring link broke")
	}
}

// awaitLinks waits until each node holds want links.
func awaitLinks(t *testing.T, ctx context.Context, want int, nodes ...*netNode) {
	t.Helper()
	for _, n := range nodes {
		for len(n.o.Links()) != want {
			select {
			case <-ctx.Done():
				t.Fatalf("a node holds %d links, want %d", len(n.o.Links()), want)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}
