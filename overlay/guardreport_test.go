package overlay

import (
	"testing"
	"time"
)

// TestGuardReport: the report a user sees names every sampled guard,
// which are primary and confirmed, and why each unused one is unused.
func TestGuardReport(t *testing.T) {
	t.Parallel()
	now := testNow
	dir := relaySet(t, 8, nil)
	g, _ := LoadGuards("", func() time.Time { return now })
	sel := NewPathSelector(dir, PathRules{})
	first, err := g.Usable(sel, seeded(1))
	if err != nil || len(first) != PrimaryGuards {
		t.Fatalf("usable %v, %v", first, err)
	}
	a, b, c := first[0], first[1], first[2]
	g.Built(a)
	for range pathBiasMinCircuits {
		g.Failed(b)
	}
	g.Unreachable(c)
	if _, err := g.Usable(sel, seeded(2)); err != nil { // samples b's successor
		t.Fatal(err)
	}
	rep := g.Report(sel)
	if len(rep) != PrimaryGuards+1 {
		t.Fatalf("report of %d guards, want %d: %+v", len(rep), PrimaryGuards+1, rep)
	}
	d := rep[2].Peer
	want := map[string]struct {
		primary, confirmed bool
		excluded           string
	}{
		string(a): {true, true, ""},
		string(c): {true, false, GuardUnreachable},
		string(d): {true, false, ""},
		string(b): {false, false, GuardPathBias},
	}
	for _, r := range rep {
		w, ok := want[string(r.Peer)]
		if !ok || r.Primary != w.primary || r.Confirmed != w.confirmed || r.Excluded != w.excluded {
			t.Errorf("guard %s: %+v, want %+v", r.Peer.ShortString(), r, w)
		}
	}

	// a turns gateway: not eligible, and no longer a primary.
	for _, desc := range dir {
		if desc.Peer == a {
			desc.Roles |= RoleGateway
		}
	}
	for _, r := range g.Report(NewPathSelector(dir, PathRules{})) {
		if r.Peer == a && (r.Primary || r.Excluded != GuardNotEligible) {
			t.Errorf("gateway guard reported %+v, want not eligible", r)
		}
	}
	// c leaves the directory for longer than the grace: not listed.
	now = now.Add(guardDownGrace + time.Hour)
	var rest []*Descriptor
	for _, desc := range dir {
		if desc.Peer != c {
			rest = append(rest, desc)
		}
	}
	for _, r := range g.Report(NewPathSelector(rest, PathRules{})) {
		if r.Peer == c && (r.Primary || r.Excluded != GuardNotListed) {
			t.Errorf("unlisted guard reported %+v, want not listed", r)
		}
	}
}
