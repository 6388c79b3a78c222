package overlay

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// TestNetworkGuardKeptAfterTruncated: on loopback, the client's first
// primary guard reaches nothing beyond itself but the gateway, so every
// 2-hop circuit through it fails with TRUNCATED; a second, working relay
// is among the primaries. BuildGuarded must fail without touching the
// second guard (the caller retries through the first, whose path bias
// hears of each failure). Before, it went on to the next primary at once
// and built through it: any failure beyond the guard, a build timeout
// included, made the client use a second guard.
func TestNetworkGuardKeptAfterTruncated(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	client := startNetNode(t, log, 0)
	g1 := startNetNode(t, log, RoleRelay)
	g2 := startNetNode(t, log, RoleRelay)
	middle := startNetNode(t, log, RoleRelay)
	gw := startNetNode(t, log, RoleRelay|RoleGateway)
	introduce(t, []*netNode{g1, g2, middle, gw}, client, gw)
	introduce(t, []*netNode{g2, middle, gw}, g2, middle)
	introduce(t, []*netNode{gw}, g1) // g1 extends to nobody but gw
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	rules := PathRules{LoopbackDistinct: true}
	g, _ := LoadGuards("", nil)
	g.SetRules(GuardRules{TestNetworkAnyAge: true})
	// Sample g1 first (it is the only eligible relay), then the others.
	if u, err := g.Usable(NewPathSelector([]*Descriptor{g1.desc, gw.desc}, rules), seeded(1)); err != nil || u[0] != g1.ov.ID() {
		t.Fatalf("first guard: %v, %v", u, err)
	}
	sel := NewPathSelector([]*Descriptor{g1.desc, g2.desc, middle.desc, gw.desc}, rules)
	if u, err := g.Usable(sel, seeded(2)); err != nil || len(u) != PrimaryGuards || u[0] != g1.ov.ID() {
		t.Fatalf("primaries: %v, %v", u, err)
	}
	for i := range 3 {
		c, err := client.o.BuildGuarded(ctx, g, sel, PathRequest{Dest: gw.ov.ID(), Hops: 2}, seeded(uint64(10+i)))
		if err == nil {
			first := c.relays[0]
			c.Close()
			t.Fatalf("attempt %d built a circuit through %v, not the first primary %v", i, first, g1.ov.ID())
		}
		if !errors.Is(err, ErrHopUnreachable) || errors.Is(err, ErrNoGuard) {
			t.Fatalf("attempt %d: %v, want the TRUNCATED (ErrHopUnreachable), not ErrNoGuard", i, err)
		}
	}
	for _, e := range g.Sampled() {
		switch {
		case e.Peer == g1.ov.ID() && (e.Circuits != 3 || e.Succeeded != 0):
			t.Fatalf("first primary's path bias %d/%d, want 0/3", e.Succeeded, e.Circuits)
		case e.Peer != g1.ov.ID() && e.Circuits != 0:
			t.Fatalf("another guard was used for %d circuits", e.Circuits)
		}
	}
}
