package overlay

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// TestGuardEligibility: only a relay and nothing else, in the directory
// for the minimum age, may be sampled. A gateway that relays (the gateway
// that once was a primary guard of 227 of 500 new clients), a market, and
// a relay that appeared minutes ago never are, whatever their bandwidth;
// the test-network override waives the age, and only the age.
func TestGuardEligibility(t *testing.T) {
	t.Parallel()
	young := testNow.Add(-time.Minute)
	cases := []struct {
		name  string
		spec  func(d *Descriptor)
		rules GuardRules
		loop  bool
		ok    bool
	}{
		{"aged relay", func(d *Descriptor) {}, GuardRules{}, false, true},
		{"relaying gateway", func(d *Descriptor) { d.Roles |= RoleGateway }, GuardRules{}, false, false},
		{"relaying market", func(d *Descriptor) { d.Roles |= RoleMarket }, GuardRules{}, false, false},
		{"worker that relays", func(d *Descriptor) { d.Roles |= RoleWorker }, GuardRules{}, false, true},
		{"not a relay", func(d *Descriptor) { d.Roles = RoleWorker }, GuardRules{}, false, false},
		{"young relay", func(d *Descriptor) { d.FirstSeen = young }, GuardRules{}, false, false},
		{"unknown age", func(d *Descriptor) { d.FirstSeen = time.Time{} }, GuardRules{}, false, false},
		{"young relay, shorter minimum", func(d *Descriptor) { d.FirstSeen = young }, GuardRules{MinAge: time.Second}, false, true},
		{"young relay, test network", func(d *Descriptor) { d.FirstSeen = young }, GuardRules{TestNetworkAnyAge: true}, false, true},
		{"gateway, test network", func(d *Descriptor) { d.Roles |= RoleGateway }, GuardRules{TestNetworkAnyAge: true}, false, false},
		{"young loopback relay, loopback test network", func(d *Descriptor) {
			d.FirstSeen, d.Addrs = young, []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/4001")}
		}, GuardRules{}, true, true},
		{"young public relay, loopback test network", func(d *Descriptor) { d.FirstSeen = young }, GuardRules{}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The candidate and two aged relays: the guard set takes every
			// eligible one of the three.
			dir := relaySet(t, PrimaryGuards, func(i int, d *Descriptor) {
				if i == 0 {
					tc.spec(d)
				}
			})
			g, _ := LoadGuards("", func() time.Time { return testNow })
			g.SetRules(tc.rules)
			if _, err := g.Pick(dir, PathRules{LoopbackDistinct: tc.loop}, seeded(1)); err != nil {
				t.Fatal(err)
			}
			if got := g.holds(dir[0].Peer); got != tc.ok {
				t.Fatalf("sampled = %v, want %v", got, tc.ok)
			}
		})
	}
}

// TestNoGuardNoCircuitPath: with every primary guard unreachable, Usable
// fails with ErrNoGuard instead of handing out a random first hop, and a
// guard becomes usable again after guardRetryAfter.
func TestNoGuardNoCircuitPath(t *testing.T) {
	t.Parallel()
	now := testNow
	dir := relaySet(t, 3, nil) // exactly the primary guards, nothing to add
	g, _ := LoadGuards("", func() time.Time { return now })
	sel := NewPathSelector(dir, PathRules{})
	usable, err := g.Usable(sel, seeded(1))
	if err != nil || len(usable) != PrimaryGuards {
		t.Fatalf("Usable = %v, %v", usable, err)
	}
	for _, p := range usable {
		g.Unreachable(p)
	}
	if _, err := g.PickFrom(sel, seeded(2)); !errors.Is(err, ErrNoGuard) {
		t.Fatalf("every guard down: %v, want ErrNoGuard", err)
	}
	now = now.Add(guardRetryAfter)
	if _, err := g.PickFrom(sel, seeded(2)); err != nil {
		t.Fatalf("after the retry delay: %v", err)
	}
}

// TestGuardConfirmedFirst: a guard a circuit was built through comes
// first, ahead of earlier-sampled unconfirmed ones, and stays first across
// restarts.
func TestGuardConfirmedFirst(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 10, nil)
	path := filepath.Join(t.TempDir(), "guards.json")
	clock := func() time.Time { return testNow }
	g, _ := LoadGuards(path, clock)
	if _, err := g.Pick(dir, PathRules{}, seeded(1)); err != nil {
		t.Fatal(err)
	}
	third := g.Primary()[2].Peer
	if err := g.Built(third); err != nil {
		t.Fatal(err)
	}
	g2, err := LoadGuards(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := g2.Pick(dir, PathRules{}, seeded(9)); got != third {
		t.Fatalf("after restart the first guard is %s, want the confirmed %s", got, third)
	}
}

// TestPathBiasSetsAside plays a guard that lets few circuits through (it
// kills those whose far end it does not control): after enough circuits it
// is set aside and reported, and the others keep serving. Guards failing
// at the ordinary rate stay.
func TestPathBiasSetsAside(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 10, nil)
	g, _ := LoadGuards("", func() time.Time { return testNow })
	if _, err := g.Pick(dir, PathRules{}, seeded(1)); err != nil {
		t.Fatal(err)
	}
	prim := g.Primary()
	bad, fine := prim[0].Peer, prim[1:]
	var reported bool
	for i := range 60 {
		for j, e := range fine { // 80 % and 70 % success: ordinary
			if i%10 < 8-j {
				g.Built(e.Peer)
			} else if aside, _ := g.Failed(e.Peer); aside {
				t.Fatalf("guard with an ordinary failure rate set aside after %d circuits", i)
			}
		}
		if i%4 == 0 { // 25 % success
			g.Built(bad)
		} else if aside, _ := g.Failed(bad); aside {
			reported = true
		}
	}
	var aside []peer.ID
	for _, r := range g.Report(NewPathSelector(dir, PathRules{})) {
		if r.Excluded == GuardPathBias {
			aside = append(aside, r.Peer)
		}
	}
	if !reported || len(aside) != 1 || aside[0] != bad {
		t.Fatalf("biased guard not set aside and reported: %v", aside)
	}
	for _, e := range g.Primary() {
		if e.Peer == bad {
			t.Fatal("set-aside guard still primary")
		}
	}
}

// TestGuardFileV1: a version 1 file (a bare list) still loads.
func TestGuardFileV1(t *testing.T) {
	t.Parallel()
	d, _ := testDescriptor(t, 3, nil)
	v1 := `[{"peer":"` + d.Peer.String() + `","added":"2026-11-01T00:00:00Z","expires":"2027-01-01T00:00:00Z"}]`
	got, err := ParseGuardFile([]byte(v1))
	if err != nil || len(got) != 1 || got[0].Peer != d.Peer {
		t.Fatalf("ParseGuardFile(v1) = %v, %v", got, err)
	}
	for _, bad := range []string{`{"version":2,"sampled":[{"peer":""}]}`, `[{"peer":"x"}]`, `{not json`} {
		if _, err := ParseGuardFile([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// FuzzGuardFile: a guard file either fails to parse or re-encodes to a file
// that parses to the same entries.
func FuzzGuardFile(f *testing.F) {
	d, _ := testDescriptor(f, 3, nil)
	seed, _ := EncodeGuardFile([]GuardEntry{{Peer: d.Peer, Added: testNow, Expires: testNow.Add(time.Hour),
		Confirmed: testNow, Circuits: 5, Succeeded: 4}})
	f.Add(seed)
	f.Add([]byte(`[{"peer":"` + d.Peer.String() + `"}]`))
	f.Add([]byte(`{"version":2,"sampled":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseGuardFile(b)
		if err != nil {
			return
		}
		again, err := EncodeGuardFile(entries)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseGuardFile(again)
		if err != nil || len(back) != len(entries) {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
		for i := range back {
			if back[i].Peer != entries[i].Peer || back[i].Circuits != entries[i].Circuits ||
				!back[i].Confirmed.Equal(entries[i].Confirmed) || back[i].SetAside != entries[i].SetAside {
				t.Fatalf("entry %d changed in the round trip", i)
			}
		}
	})
}

// TestExtendBackRefused: a relay never extends a circuit to the hop the
// EXTEND came from (A↔B loops multiply what one client costs the relays).
func TestExtendBackRefused(t *testing.T) {
	t.Parallel()
	a, b := testPeer(t, 1), testPeer(t, 2)
	cases := []struct {
		name     string
		prev     peer.ID
		identity []byte
		ok       bool
	}{
		{"to the previous hop", a, []byte(a), false},
		{"to another relay", a, []byte(b), true},
		{"previous hop unknown", "", []byte(a), true},
	}
	for _, tc := range cases {
		if err := extendAllowed(tc.prev, tc.identity); (err == nil) != tc.ok {
			t.Errorf("%s: extendAllowed = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// TestGuardNotBlamedWhileLinksDown: a first hop this node cannot reach
// while its own transport is down (its tor restarting: Config.LinksDown)
// marks no guard unreachable. Before, a tor outage marked every primary
// guard unreachable for guardRetryAfter, stranding a stealth worker for
// ten minutes after tor was back. With the transport up the same failure
// marks the guard.
func TestGuardNotBlamedWhileLinksDown(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 3, nil)
	g, _ := LoadGuards("", func() time.Time { return testNow })
	sel := NewPathSelector(dir, PathRules{})
	usable, err := g.Usable(sel, seeded(1))
	if err != nil || len(usable) != PrimaryGuards {
		t.Fatalf("Usable = %v, %v", usable, err)
	}
	down := true
	linksDown := func() bool { return down }
	req := PathRequest{Hops: 1, DestRole: RoleRelay}
	unreachable := func([]*Descriptor) (struct{}, error) { return struct{}{}, &firstHopError{} }
	if _, _, err := buildGuarded(g, sel, req, seeded(2), unreachable, linksDown); !errors.Is(err, ErrNoGuard) {
		t.Fatalf("every first hop failed: %v, want ErrNoGuard", err)
	}
	if got, err := g.Usable(sel, seeded(1)); err != nil || len(got) != PrimaryGuards {
		t.Fatalf("after failures with the transport down: %d usable, %v", len(got), err)
	}
	down = false
	firstOnly := func(path []*Descriptor) (struct{}, error) {
		if path[0].Peer == usable[0] {
			return struct{}{}, &firstHopError{}
		}
		return struct{}{}, nil
	}
	if _, _, err := buildGuarded(g, sel, req, seeded(2), firstOnly, linksDown); err != nil {
		t.Fatalf("build through the second guard: %v", err)
	}
	if got, _ := g.Usable(sel, seeded(1)); len(got) != PrimaryGuards-1 {
		t.Fatalf("a first-hop failure with the transport up left %d of %d guards usable", len(got), PrimaryGuards)
	}
}

// TestFailureBeyondGuardKeepsGuard: a circuit that fails after its guard
// answered (an extend refused, a build timeout: about one build in five
// times out by design) counts against that guard's path bias and ends the
// attempt; the next attempt goes through the same guard. Only a guard
// this node could not reach itself passes the turn to the next primary
// (guard-spec §4.6). Before, any failure moved on to the next primary at
// once, so nearly every client soon built through a second guard, and a
// third: every extra guard is one more chance of a hostile one.
func TestFailureBeyondGuardKeepsGuard(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 6, nil)
	g, _ := LoadGuards("", func() time.Time { return testNow })
	sel := NewPathSelector(dir, PathRules{})
	usable, err := g.Usable(sel, seeded(1))
	if err != nil || len(usable) != PrimaryGuards {
		t.Fatalf("Usable = %v, %v", usable, err)
	}
	req := PathRequest{Hops: 2, DestRole: RoleRelay}
	var tried []peer.ID
	timeout := func(path []*Descriptor) (struct{}, error) {
		tried = append(tried, path[0].Peer)
		return struct{}{}, ErrBuildTimeout
	}
	for i := range 5 {
		if _, _, err := buildGuarded(g, sel, req, seeded(uint64(i)), timeout, nil); !errors.Is(err, ErrBuildTimeout) {
			t.Fatalf("attempt %d: %v, want ErrBuildTimeout", i, err)
		}
	}
	for _, p := range tried {
		if p != usable[0] {
			t.Fatalf("builds went through %v, want only the first primary", tried)
		}
	}
	if len(tried) != 5 {
		t.Fatalf("%d builds for 5 attempts", len(tried))
	}
	for _, e := range g.Sampled() {
		if want := uint32(0); e.Peer == usable[0] {
			if e.Circuits != 5 || e.Succeeded != 0 {
				t.Fatalf("first primary's path bias %d/%d, want 0/5", e.Succeeded, e.Circuits)
			}
		} else if e.Circuits != want {
			t.Fatalf("guard %v counted %d circuits, want none", e.Peer, e.Circuits)
		}
	}
	// A failure that is nobody's (this node's own limits) is returned as
	// it is and counts for no guard.
	mine := func([]*Descriptor) (struct{}, error) {
		return struct{}{}, &notGuardError{ErrTooManyCircuits}
	}
	if _, _, err := buildGuarded(g, sel, req, seeded(9), mine, nil); err != ErrTooManyCircuits {
		t.Fatalf("own limit: %v, want ErrTooManyCircuits itself", err)
	}
	if e := g.Sampled()[0]; e.Circuits != 5 {
		t.Fatalf("own limit counted against the guard: %d circuits", e.Circuits)
	}
}
