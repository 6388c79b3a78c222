package overlay

import (
	"context"
	"log/slog"
	"testing"
	"time"
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
	client := startNetNode(t, log, 0)
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
	if len(far.ov.Host().Network().ConnsToPeer(client.ov.ID())) != 0 {
		t.Fatal("the relay asked is connected to the client")
	}
}
