package overlay

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// relaySet builds n descriptors; spec(i) sets the i-th one's address,
// family, roles and bandwidth.
func relaySet(t testing.TB, n int, spec func(i int, d *Descriptor)) []*Descriptor {
	t.Helper()
	out := make([]*Descriptor, n)
	for i := range out {
		d, _ := testDescriptor(t, byte(10+i), func(d *Descriptor) {
			d.Addrs = []ma.Multiaddr{ma.StringCast(fmt.Sprintf("/ip4/10.%d.0.1/tcp/4001", i))}
			d.FirstSeen = testNow.Add(-2 * DefaultGuardMinAge)
			if spec != nil {
				spec(i, d)
			}
		})
		out[i] = d
	}
	return out
}

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

func TestSelectPathRules(t *testing.T) {
	t.Parallel()
	loopback := func(i int, d *Descriptor) {
		d.Addrs = []ma.Multiaddr{ma.StringCast(fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 4000+i))}
	}
	cases := []struct {
		name  string
		n     int
		spec  func(int, *Descriptor)
		req   func(dir []*Descriptor) PathRequest
		rules PathRules
		err   error
	}{
		{"plain 3 hops to a gateway", 8, func(i int, d *Descriptor) {
			if i == 7 {
				d.Roles |= RoleGateway
			}
		}, func([]*Descriptor) PathRequest { return PathRequest{DestRole: RoleGateway} }, PathRules{}, nil},
		{"all in one /16 leaves no path", 8, func(i int, d *Descriptor) {
			d.Addrs = []ma.Multiaddr{ma.StringCast(fmt.Sprintf("/ip4/10.9.%d.1/tcp/4001", i))}
		}, func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer} }, PathRules{}, ErrNoPath},
		{"one family leaves no path", 8, func(i int, d *Descriptor) { d.Family = "acme" },
			func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer} }, PathRules{}, ErrNoPath},
		{"loopback without override", 8, loopback,
			func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer} }, PathRules{}, ErrNoPath},
		{"loopback with override", 8, loopback,
			func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer} }, PathRules{LoopbackDistinct: true}, nil},
		{"guard first", 8, nil,
			func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer, Guard: dir[5].Peer} }, PathRules{}, nil},
		{"guard shares family with destination", 8, func(i int, d *Descriptor) {
			if i == 0 || i == 5 {
				d.Family = "acme"
			}
		}, func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer, Guard: dir[5].Peer} }, PathRules{}, ErrNoPath},
		{"too few relays", 3, nil,
			func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer} }, PathRules{}, ErrNoPath},
		{"7 hops", 9, nil,
			func(dir []*Descriptor) PathRequest { return PathRequest{Dest: dir[0].Peer, Hops: 7} }, PathRules{}, nil},
		{"no role holder", 8, nil,
			func([]*Descriptor) PathRequest { return PathRequest{DestRole: RoleMarket} }, PathRules{}, ErrNoPath},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := relaySet(t, tc.n, tc.spec)
			req := tc.req(dir)
			for seed := range uint64(50) {
				path, err := SelectPath(dir, req, tc.rules, seeded(seed))
				if !errors.Is(err, tc.err) {
					t.Fatalf("seed %d: err = %v, want %v", seed, err, tc.err)
				}
				if err == nil {
					checkPath(t, path, req, tc.rules)
				}
			}
		})
	}
}

func checkPath(t *testing.T, path []*Descriptor, req PathRequest, rules PathRules) {
	t.Helper()
	hops := req.Hops
	if hops == 0 {
		hops = DefaultHops
	}
	if len(path) != hops+1 {
		t.Fatalf("path has %d members, want %d", len(path), hops+1)
	}
	if req.Guard != "" && path[0].Peer != req.Guard {
		t.Fatal("guard is not the first hop")
	}
	dest := path[len(path)-1]
	if (req.Dest != "" && dest.Peer != req.Dest) || (req.DestRole != 0 && dest.Roles&req.DestRole == 0) {
		t.Fatal("path ends at the wrong node")
	}
	for i := range path {
		if conflicts(path[i], path[i+1:], rules) {
			t.Fatalf("members %d and a later one share a peer, /16 or family", i)
		}
	}
}

func TestSelectPathBandwidthWeighted(t *testing.T) {
	t.Parallel()
	// Relay i advertises (i+1) MiB/s; over many paths each relay's share of
	// middle positions must track its bandwidth.
	dir := relaySet(t, 10, func(i int, d *Descriptor) { d.Bandwidth = uint64(i+1) << 20 })
	dest := dir[0].Peer
	counts := map[peer.ID]float64{}
	const trials = 20000
	rnd := seeded(42)
	for range trials {
		path, err := SelectPath(dir, PathRequest{Dest: dest, Hops: 1}, PathRules{}, rnd)
		if err != nil {
			t.Fatal(err)
		}
		counts[path[0].Peer]++
	}
	var total float64
	for _, d := range dir[1:] {
		total += float64(d.Bandwidth)
	}
	// Chi-square over 9 categories (8 degrees of freedom); 26.1 is the
	// 0.999 quantile, so a correct sampler fails about once in 1000 seeds.
	var chi2 float64
	for _, d := range dir[1:] {
		want := trials * float64(d.Bandwidth) / total
		chi2 += math.Pow(counts[d.Peer]-want, 2) / want
	}
	if chi2 > 26.1 {
		t.Fatalf("selection not bandwidth-weighted: chi2 = %.1f, counts %v", chi2, counts)
	}
}

func TestGuardsPersist(t *testing.T) {
	t.Parallel()
	dir := relaySet(t, 10, nil)
	path := filepath.Join(t.TempDir(), "guards.json")
	now := testNow
	clock := func() time.Time { return now }
	g, err := LoadGuards(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	first, err := g.Pick(dir, PathRules{}, seeded(1))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.Primary()); n != PrimaryGuards {
		t.Fatalf("%d primary guards, want %d", n, PrimaryGuards)
	}
	// A restart (new object, other randomness) keeps the same guard.
	for seed := range uint64(20) {
		g2, err := LoadGuards(path, clock)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := g2.Pick(dir, PathRules{}, seeded(seed+100)); got != first {
			t.Fatalf("restart %d picked %s, want %s", seed, got, first)
		}
	}
	// The guard missing from the directory: the next primary serves, and the
	// missing one keeps its place for when it returns.
	var without []*Descriptor
	for _, d := range dir {
		if d.Peer != first {
			without = append(without, d)
		}
	}
	second, err := g.Pick(without, PathRules{}, seeded(3))
	if err != nil || second == first || second != g.Primary()[1].Peer {
		t.Fatalf("fallback guard = %s, %v", second, err)
	}
	// Weeks later every guard has expired and a fresh set is drawn.
	now = now.Add(guardMaxLifetime + time.Hour)
	g3, _ := LoadGuards(path, clock)
	if _, err := g3.Pick(dir, PathRules{}, seeded(4)); err != nil {
		t.Fatal(err)
	}
	for _, e := range g3.Primary() {
		if !e.Added.Equal(now) {
			t.Fatal("expired guard kept")
		}
	}
}

func TestGuardsCorruptFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "guards.json")
	if err := WriteFileAtomic(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGuards(path, nil); err == nil {
		t.Fatal("corrupt guard file accepted")
	}
}
