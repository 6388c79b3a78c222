package overlay

import (
	"context"
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"cyclecash/onion"
)

// TestDirectoryThroughCircuit: the attacker is a confined client's guard,
// which serves it a directory that leaves out relays it does not control.
// Through a circuit the client reads the directory of a relay at its far
// end (DirService) and learns the hidden relay; that relay never connects
// to the client, so it does not learn who asked.
func TestDirectoryThroughCircuit(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	client := startConfinedNode(t, log)
	guard := startNetNode(t, log, RoleRelay)
	middle := startNetNode(t, log, RoleRelay)
	far := startNetNode(t, log, RoleRelay|RoleGateway) // accepts streams
	hidden := startNetNode(t, log, RoleRelay)
	far.ov.ServeDirectoryOnCircuits(far.o)
	relays := []*netNode{guard, middle, far}
	introduce(t, relays, client, guard, middle, far)
	introduce(t, []*netNode{hidden}, far) // what the guard left out
	if _, ok := client.ov.dir.Get(hidden.ov.ID()); ok {
		t.Fatal("the client knows the hidden relay before the fetch")
	}
	client.ov.SetGuards([]peer.ID{guard.ov.ID()})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.o.Build(ctx, []*Descriptor{guard.desc, middle.desc, far.desc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := client.ov.FetchDirectoryVia(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := client.ov.dir.Get(hidden.ov.ID()); !ok || n == 0 {
		t.Fatalf("after the fetch through the circuit (%d changed) the client still lacks the hidden relay", n)
	}
	for _, n := range []*netNode{middle, far, hidden} {
		if len(n.ov.Host().Network().ConnsToPeer(client.ov.ID())) != 0 {
			t.Fatal("a relay other than the guard is connected to the client")
		}
	}
}

// startConfinedNode starts a client-only node (a stealth client): no
// listening, no DHT, dialling only the guards it is told of.
func startConfinedNode(t *testing.T, log *slog.Logger) *netNode {
	t.Helper()
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	key, _ := onion.GenerateOnionKey(rand.Reader)
	ov, err := New(Config{Identity: id, OnionKey: key.Public, ClientOnly: true, PoWBits: testPoWBits,
		Rules: PathRules{LoopbackDistinct: true}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOnion(ov, OnionConfig{Keys: []*onion.OnionKey{key}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(); ov.Close() })
	return &netNode{ov: ov, o: o}
}
