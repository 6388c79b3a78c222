package overlay

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	ma "github.com/multiformats/go-multiaddr"
)

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type netNode struct {
	ov   *Overlay
	o    *Onion
	desc *Descriptor
	raw  []byte
}

// startNetNode starts an overlay and onion on 127.0.0.1 logging at debug
// level into log.
func startNetNode(t *testing.T, log *slog.Logger, roles Role) *netNode {
	t.Helper()
	return startNetNodeRules(t, log, roles, PathRules{LoopbackDistinct: true})
}

// startNetNodeRules is startNetNode with the node's path rules.
func startNetNodeRules(t *testing.T, log *slog.Logger, roles Role, rules PathRules) *netNode {
	t.Helper()
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	key, _ := onion.GenerateOnionKey(rand.Reader)
	ov, err := New(Config{Identity: id, OnionKey: key.Public, Roles: roles, Bandwidth: 1 << 20,
		Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}, PoWBits: testPoWBits,
		Rules: rules, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOnion(ov, OnionConfig{Keys: []*onion.OnionKey{key}, AcceptStreams: roles&RoleGateway != 0, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	n := &netNode{ov: ov, o: o}
	if n.desc, n.raw, err = ov.Descriptor(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(); ov.Close() })
	return n
}

// introduce puts every node's descriptor in the directory of every other
// node of to.
func introduce(t *testing.T, from []*netNode, to ...*netNode) {
	t.Helper()
	for _, a := range from {
		for _, b := range to {
			if a != b {
				if _, err := b.ov.dir.Add(a.raw, a.ov.ID()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// addrInLog matches any IP literal or multiaddr fragment.
var addrInLog = regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}\b|/ip4/|/ip6/|/tcp/|/udp/|/quic|/dns`)

// TestNetworkSteeringAndLogs runs a small network on loopback, every node
// logging at debug level into one buffer:
//
//   - a hostile guard answers TRUNCATED when asked to extend to an honest
//     middle relay (it pretends not to reach it). The client must not mark
//     the middle down: its path choice for every other circuit is what it
//     was before. Today's client marked it down for 5 minutes.
//   - with every guard dead, BuildGuarded builds nothing and fails with
//     ErrNoGuard; with live guards it builds and confirms one.
//   - no log line at any level holds an address. Today the dial errors of
//     linkdial.go quoted multiaddrs.
func TestNetworkSteeringAndLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	t.Parallel()
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := startNetNode(t, log, 0)
	hostile := startNetNode(t, log, RoleRelay)
	middle := startNetNode(t, log, RoleRelay)
	middle2 := startNetNode(t, log, RoleRelay)
	gw := startNetNode(t, log, RoleRelay|RoleGateway)
	var dead []*netNode
	for range PrimaryGuards {
		d := startNetNode(t, log, RoleRelay)
		d.o.Close()
		d.ov.Close()
		dead = append(dead, d)
	}
	live := []*netNode{hostile, middle, middle2, gw}
	introduce(t, append(live, dead...), client)
	introduce(t, live, middle, middle2, gw)
	introduce(t, []*netNode{middle2, gw}, hostile) // the hostile guard "cannot reach" middle
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	rules := PathRules{LoopbackDistinct: true}
	choose := func() []*Descriptor { // what the client picks for its next circuits
		var dir []*Descriptor
		for _, d := range client.ov.dir.Live() {
			if client.o.Reachable(d.Peer) {
				dir = append(dir, d)
			}
		}
		var out []*Descriptor
		for seed := range uint64(20) {
			p, _ := SelectPath(dir, PathRequest{DestRole: RoleGateway, Hops: 2}, rules, seeded(seed))
			out = append(out, p...)
		}
		return out
	}
	before := choose()
	_, err := client.o.Build(ctx, []*Descriptor{hostile.desc, middle.desc, gw.desc})
	if !errors.Is(err, ErrHopUnreachable) {
		t.Fatalf("build through the hostile guard: %v, want ErrHopUnreachable", err)
	}
	if !client.o.Reachable(middle.ov.ID()) {
		t.Fatal("a TRUNCATED from the hostile guard marked the honest middle down")
	}
	after := choose()
	for i := range before {
		if before[i] != after[i] {
			t.Fatal("a TRUNCATED from the hostile guard changed the client's path choice")
		}
	}

	deadDir := []*Descriptor{gw.desc}
	for _, d := range dead {
		deadDir = append(deadDir, d.desc)
	}
	g, _ := LoadGuards("", nil)
	g.SetRules(GuardRules{TestNetworkAnyAge: true})
	sel := NewPathSelector(deadDir, rules)
	if _, err := client.o.BuildGuarded(ctx, g, sel, PathRequest{Dest: gw.ov.ID(), Hops: 2}, seeded(1)); !errors.Is(err, ErrNoGuard) {
		t.Fatalf("every guard dead: %v, want ErrNoGuard", err)
	}
	if n := len(client.o.Circuits()); n != 0 {
		t.Fatalf("%d circuits built without a guard", n)
	}
	for _, d := range dead { // first-hand: this node's own dial failed
		if client.o.Reachable(d.ov.ID()) {
			t.Fatal("a guard this node could not reach is not marked down")
		}
	}

	g2, _ := LoadGuards("", nil)
	g2.SetRules(GuardRules{TestNetworkAnyAge: true})
	sel = NewPathSelector([]*Descriptor{middle.desc, middle2.desc, gw.desc}, rules)
	c, err := client.o.BuildGuarded(ctx, g2, sel, PathRequest{Dest: gw.ov.ID(), Hops: 2}, seeded(2))
	if err != nil {
		t.Fatalf("build through live guards: %v", err)
	}
	defer c.Close()
	if g2.Primary()[0].Confirmed.IsZero() {
		t.Fatal("the guard of a built circuit is not confirmed")
	}

	out := logs.String()
	if !bytes.Contains([]byte(out), []byte("dial failed")) {
		t.Fatal("the run logged no dial failure: the scan below proves nothing")
	}
	if m := addrInLog.FindString(out); m != "" {
		t.Fatalf("a log line holds an address (%q):\n%s", m, out)
	}
}
