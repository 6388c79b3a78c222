package overlay

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// forcedHSCircuits is the guard-discovery attack: the adversary runs the
// last advRelays relays of dir and, as rendezvous point, introduction
// point or HSDir, makes the victim build n hidden-service circuits that
// end at its relays. It returns the second hop (the relay next to the
// guard, which learns the guard) of every circuit. vg nil is the rule
// without vanguards.
func forcedHSCircuits(t *testing.T, dir []*Descriptor, advRelays, n int, vg *Vanguards, rnd *rand.Rand) []peer.ID {
	t.Helper()
	g, _ := LoadGuards("", func() time.Time { return testNow })
	sel := NewPathSelector(dir, PathRules{})
	adv := dir[len(dir)-advRelays:]
	var second []peer.ID
	for i := range n {
		guards, err := g.Usable(sel, rnd)
		if err != nil {
			t.Fatal(err)
		}
		req := PathRequest{Dest: adv[i%len(adv)].Peer}
		if vg != nil {
			if req.Layer2, err = vg.Layer2(sel, rnd); err != nil {
				t.Fatal(err)
			}
		}
		var path []*Descriptor
		for _, req.Guard = range guards { // as BuildGuarded: the next guard when one cannot serve
			if path, err = sel.Select(req, rnd); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if path[0].Peer != req.Guard {
			t.Fatalf("circuit %d: first hop is not the guard", i)
		}
		second = append(second, path[1].Peer)
	}
	return second
}

// secondHopsConfined: every second hop is in set, and there are at most
// L2Size distinct ones.
func secondHopsConfined(second []peer.ID, set []VanguardEntry) error {
	distinct := map[peer.ID]bool{}
	for i, p := range second {
		distinct[p] = true
		if !slices.ContainsFunc(set, func(e VanguardEntry) bool { return e.Peer == p }) {
			return fmt.Errorf("circuit %d: second hop outside the layer-2 set", i)
		}
	}
	if len(distinct) > L2Size {
		return fmt.Errorf("%d distinct second hops, want at most %d", len(distinct), L2Size)
	}
	return nil
}

// TestVanguardsStopGuardDiscovery: the attacker (a hostile rendezvous
// point, introduction point or HSDir) forces 2000 hidden-service circuits.
// With vanguards the hop next to the guard is always one of the L2Size
// layer-2 guards; without them (the old rule) it sampled the middles of
// the whole network, the attacker's relays among them, and the check fails.
func TestVanguardsStopGuardDiscovery(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 60, nil)
	const adv, n = 10, 2000
	isAdv := map[peer.ID]bool{}
	for _, d := range dir[len(dir)-adv:] {
		isAdv[d.Peer] = true
	}

	old := forcedHSCircuits(t, dir, adv, n, nil, seeded(1))
	if err := secondHopsConfined(old, nil); err == nil {
		t.Fatal("without vanguards the second hops were confined: the attack is not exercised")
	}
	advNext := 0
	for _, p := range old {
		if isAdv[p] {
			advNext++
		}
	}
	if advNext == 0 {
		t.Fatal("without vanguards the attacker's relays never sat next to the guard")
	}

	vg, err := LoadVanguards(filepath.Join(t.TempDir(), "vanguards.json"), func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	got := forcedHSCircuits(t, dir, adv, n, vg, seeded(1))
	set := vg.Layer2List()
	if len(set) != L2Size {
		t.Fatalf("%d layer-2 guards, want %d", len(set), L2Size)
	}
	if err := secondHopsConfined(got, set); err != nil {
		t.Fatal(err)
	}
}

// TestVanguardsPersistAndRotate: the set survives a restart (an attacker
// that can crash the service must not get a fresh draw), each entry lives
// 1 to 12 days, and after 12 days every entry has been replaced.
func TestVanguardsPersistAndRotate(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 30, nil)
	sel := NewPathSelector(dir, PathRules{})
	path := filepath.Join(t.TempDir(), "vanguards.json")
	now := testNow
	clock := func() time.Time { return now }
	vg, _ := LoadVanguards(path, clock)
	first, err := vg.Layer2(sel, seeded(1))
	if err != nil || len(first) != L2Size {
		t.Fatalf("layer 2 = %d entries, %v", len(first), err)
	}
	for _, e := range vg.Layer2List() {
		if life := e.Expires.Sub(e.Added); life < l2MinLifetime || life > l2MaxLifetime {
			t.Fatalf("lifetime %v outside [%v, %v]", life, l2MinLifetime, l2MaxLifetime)
		}
	}
	for seed := range uint64(10) {
		again, _ := LoadVanguards(path, clock)
		if got, err := again.Layer2(sel, seeded(seed+50)); err != nil || !slices.Equal(got, first) {
			t.Fatalf("restart %d: layer 2 changed (%v)", seed, err)
		}
	}
	now = now.Add(l2MaxLifetime + time.Minute)
	later, err := vg.Layer2(sel, seeded(2))
	if err != nil || len(later) != L2Size {
		t.Fatalf("after rotation: %d entries, %v", len(later), err)
	}
	for _, e := range vg.Layer2List() {
		if !e.Added.Equal(now) {
			t.Fatal("an entry outlived the longest layer-2 lifetime")
		}
	}
}

// TestVanguardsNoFallback: a layer-2 guard that turns gateway leaves the
// set at once; with every layer-2 guard unlisted, or the only ones left
// conflicting with the path, there is no hidden-service path, never one
// through a random second hop.
func TestVanguardsNoFallback(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 12, nil)
	sel := NewPathSelector(dir, PathRules{})
	vg, _ := LoadVanguards("", func() time.Time { return testNow })
	l2, err := vg.Layer2(sel, seeded(1))
	if err != nil {
		t.Fatal(err)
	}
	var rest []*Descriptor
	for _, d := range dir {
		if !slices.Contains(l2, d.Peer) {
			rest = append(rest, d)
		}
	}
	guard := rest[0].Peer
	// The layer-2 guards are all briefly missing: no path, no new draw yet.
	_, err = NewPathSelector(rest, PathRules{}).Select(PathRequest{Guard: guard, Dest: rest[1].Peer, Layer2: l2}, seeded(2))
	if !errors.Is(err, ErrNoPath) {
		t.Fatalf("path without a listed layer-2 guard: %v", err)
	}
	if _, err := vg.Layer2(NewPathSelector(rest, PathRules{}), seeded(3)); !errors.Is(err, ErrNoPath) {
		t.Fatalf("layer 2 with every entry unlisted: %v", err)
	}
	// One layer-2 guard becomes a gateway: it is replaced, not used.
	turned := *sel.Get(l2[0])
	turned.Roles = RoleRelay | RoleGateway
	dir2 := []*Descriptor{&turned}
	for _, d := range dir {
		if d.Peer != l2[0] {
			dir2 = append(dir2, d)
		}
	}
	now2, err := vg.Layer2(NewPathSelector(dir2, PathRules{}), seeded(4))
	if err != nil || slices.Contains(now2, l2[0]) || len(now2) != L2Size {
		t.Fatalf("gateway kept in layer 2 (%v, %v)", now2, err)
	}
	if _, err := sel.Select(PathRequest{Hops: 1, Guard: guard, Dest: rest[1].Peer, Layer2: l2}, seeded(5)); err == nil {
		t.Fatal("one-relay hidden-service path accepted")
	}
}

// FuzzVanguardFile: a vanguard file either fails to parse or re-encodes
// to one that parses to the same entries.
func FuzzVanguardFile(f *testing.F) {
	d, _ := testDescriptor(f, 3, nil)
	seed, _ := EncodeVanguardFile([]VanguardEntry{{Peer: d.Peer, Added: testNow, Expires: testNow.Add(48 * time.Hour), Listed: testNow}})
	f.Add(seed)
	f.Add([]byte(`{"version":1,"layer2":[]}`))
	f.Add([]byte(`{"version":2,"layer2":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseVanguardFile(b)
		if err != nil {
			return
		}
		again, err := EncodeVanguardFile(entries)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseVanguardFile(again)
		if err != nil || len(back) != len(entries) {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
		for i := range back {
			if back[i].Peer != entries[i].Peer || !back[i].Expires.Equal(entries[i].Expires) || !back[i].Listed.Equal(entries[i].Listed) {
				t.Fatalf("entry %d changed in the round trip", i)
			}
		}
	})
}
