package overlay

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// The path-security simulation (no sockets). It drives the real Directory
// (admission, proof of work, quotas), PathSelector (capped and measured
// weights, subnet and family rules) and Guards (sampling, eligibility,
// primaries, confirmation) through simulated days, beside a copy of the
// selection rules of commit 3a8a8bb ("today's rules", simOld* below).
//
// World: simRelays honest relays, bandwidth log-normal (median 4 MiB/s,
// sigma 1.5, clamped to 64 KiB/s..1 GiB/s), each in its own /16; simGateways
// gateways. The adversary holds f of the honest bandwidth in f×simRelays
// relays of the honest mean bandwidth each, never down, each claiming 2^50
// B/s (more than any cap; under today's rules the most a relay can claim
// without wrapping the weight sum, which MaxUint64 would do). Honest relays
// are down on a given day with probability simRelayDown; a client is
// online on a day with probability simClientOnline and builds
// simCircuitsPerDay circuits to a gateway (guard, middle, last relay,
// gateway) then.
//
// Measurement is pooled: what any client's circuits carried (the slowest
// hop's bandwidth) enters one Measurements table all clients use. A real
// client measures only its own circuits, so it reaches the same table
// more slowly; pooling keeps the run affordable (one selector per day
// instead of one per client and day). It also flatters nothing that the
// assertions rest on: most guards are drawn on the first day, before
// anything is measured, as a real client's are.
//
// Scale: 10,000 relays, 30 days; TestPathSecurity asserts on
// simTestClients clients at f = 10 % (seconds; about 35 s under -race),
// BenchmarkPathSecurity prints the table for simClients clients:
//
//	go test ./overlay -run XXX -bench PathSecurity -benchtime 1x
const (
	simRelays         = 10000
	simGateways       = 10
	simClients        = 10000
	simDays           = 30
	simCircuitsPerDay = 2
	simRelayDown      = 0.1
	simClientOnline   = 0.8
	simAdvClaim       = 1 << 50
	simOldClients     = 1000
)

type simWorld struct {
	honest, adv, gateways []*Descriptor
	trueBW                map[peer.ID]uint64
	start                 time.Time
}

var (
	simOnce  sync.Once
	simBuilt *simWorld
)

// simDescriptor signs a descriptor for relay number i (distinct /16s).
func simDescriptor(i int, roles Role, bw uint64, expiry time.Time) []byte {
	var seed [32]byte
	binary.BigEndian.PutUint64(seed[:], uint64(i)+1)
	k, _ := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	addr := fmt.Sprintf("/ip4/%d.%d.0.1/tcp/4001", 11+i/250, i%250)
	d := &Descriptor{Roles: roles, Bandwidth: bw, Seq: 1, Expiry: expiry,
		Addrs: []ma.Multiaddr{ma.StringCast(addr)}}
	if err := d.SignPoW(k, testPoWBits); err != nil {
		panic(err)
	}
	raw, _ := d.Marshal()
	return raw
}

func simWorldOnce() *simWorld {
	simOnce.Do(func() {
		start := testNow
		dir := NewDirectory(func() time.Time { return start })
		dir.SetPolicy(DirectoryPolicy{MaxEntries: 4 * simRelays, PoWBits: testPoWBits})
		rnd := seeded(99)
		w := &simWorld{trueBW: map[peer.ID]uint64{}, start: start.Add(2 * DefaultGuardMinAge)}
		expiry := start.Add(MaxDescriptorLifetime)
		var total float64
		kind := map[peer.ID]int{}
		type spec struct {
			i            int
			roles        Role
			claim, truth uint64
			kind         int
		}
		var specs []spec
		add := func(i int, roles Role, bw, truth uint64, k int) {
			specs = append(specs, spec{i, roles, bw, truth, k})
		}
		for i := range simRelays {
			bw := uint64(math.Exp(math.Log(4<<20) + 1.5*rnd.NormFloat64()))
			bw = min(max(bw, 64<<10), 1<<30)
			total += float64(bw)
			add(i, RoleRelay, bw, bw, 0)
		}
		mean := uint64(total / simRelays)
		for i := range simRelays / 5 { // enough for f = 20 %
			add(simRelays+i, RoleRelay, simAdvClaim, mean, 1)
		}
		for i := range simGateways {
			add(2*simRelays+i, RoleGateway, 10<<20, 10<<20, 2)
		}
		// Sign and admit on every core: the order does not matter (no
		// quota is reached, and Live sorts).
		var wg sync.WaitGroup
		var mu sync.Mutex
		next := 0
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					i := next
					next++
					mu.Unlock()
					if i >= len(specs) {
						return
					}
					sp := specs[i]
					raw := simDescriptor(sp.i, sp.roles, sp.claim, expiry)
					if _, err := dir.Add(raw, ""); err != nil {
						panic(err)
					}
					d, _ := ParseDescriptor(raw)
					mu.Lock()
					w.trueBW[d.Peer], kind[d.Peer] = sp.truth, sp.kind
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for _, d := range dir.Live() {
			switch kind[d.Peer] {
			case 0:
				w.honest = append(w.honest, d)
			case 1:
				w.adv = append(w.adv, d)
			default:
				w.gateways = append(w.gateways, d)
			}
		}
		simBuilt = w
	})
	return simBuilt
}

type simResult struct {
	both, circuits int
	advGuard       int // circuits whose guard is adversarial
	advLast        int // circuits whose last relay is adversarial
	exposed        int // clients that ever used an adversarial guard
	clients        int
}

func (r simResult) bothFrac() float64 { return float64(r.both) / float64(max(r.circuits, 1)) }
func frac(a, b int) float64           { return float64(a) / float64(max(b, 1)) }

func (r simResult) exposedFrac() float64 { return float64(r.exposed) / float64(max(r.clients, 1)) }

// simDay is the relays up on one day, adversary first, then honest.
func (w *simWorld) simDay(adv []*Descriptor, rnd *rand.Rand) []*Descriptor {
	up := append(append([]*Descriptor{}, adv...), w.gateways...)
	for _, d := range w.honest {
		if rnd.Float64() >= simRelayDown {
			up = append(up, d)
		}
	}
	return up
}

// runNew simulates the rules of this package for clients clients. They
// run in simShards goroutines, each with its own random stream; within a
// day every client draws from that day's selector, and what the circuits
// carried is recorded when all shards are done (a peak is a maximum, so
// the order does not matter): the result depends on the seed only.
func (w *simWorld) runNew(f float64, seed uint64, clients int, probes int) simResult {
	adv := w.adv[:int(f*simRelays)]
	isAdv := map[peer.ID]bool{}
	for _, d := range adv {
		isAdv[d.Peer] = true
	}
	now := w.start
	clock := func() time.Time { return now }
	m := NewMeasurements(clock)
	shards := make([]simShard, simShards)
	for i := range shards {
		sh := &shards[i]
		sh.rnd = seeded(seed<<8 + uint64(i))
		for c := i; c < clients; c += simShards {
			g, _ := LoadGuards("", clock)
			sh.guards = append(sh.guards, g)
		}
		sh.exposed = make([]bool, len(sh.guards))
	}
	days := seeded(seed)
	for range simDays {
		sel := NewPathSelector(w.simDay(adv, days), PathRules{Measured: m})
		var wg sync.WaitGroup
		for i := range shards {
			wg.Add(1)
			go func(sh *simShard) {
				defer wg.Done()
				sh.day(w, sel, isAdv)
			}(&shards[i])
		}
		wg.Wait()
		for i := range shards {
			for _, r := range shards[i].carried {
				m.Record(r.relays, r.bytes, time.Second)
			}
			shards[i].carried = shards[i].carried[:0]
		}
		w.probe(m, append(append([]*Descriptor{}, w.honest...), adv...), probes, days)
		now = now.Add(24 * time.Hour)
	}
	res := simResult{clients: clients}
	for _, sh := range shards {
		res.both += sh.res.both
		res.circuits += sh.res.circuits
		res.advGuard += sh.res.advGuard
		res.advLast += sh.res.advLast
		for _, e := range sh.exposed {
			if e {
				res.exposed++
			}
		}
	}
	return res
}

const simShards = 8

type simShard struct {
	rnd     *rand.Rand
	guards  []*Guards
	exposed []bool
	res     simResult
	carried []simCarried
}

type simCarried struct {
	relays []peer.ID
	bytes  uint64
}

// day runs one simulated day of the shard's clients on sel.
func (sh *simShard) day(w *simWorld, sel *PathSelector, isAdv map[peer.ID]bool) {
	for c, g := range sh.guards {
		if sh.rnd.Float64() >= simClientOnline {
			continue
		}
		for range simCircuitsPerDay {
			guard, err := g.PickFrom(sel, sh.rnd)
			if err != nil {
				continue
			}
			path, err := sel.Select(PathRequest{Guard: guard, DestRole: RoleGateway}, sh.rnd)
			if err != nil {
				continue
			}
			g.Built(guard)
			w.record(&sh.res, path, isAdv, &sh.exposed[c])
			sh.carried = append(sh.carried, simCarried{peersOf(path[:len(path)-1]), w.slowest(path)})
		}
	}
}

func (w *simWorld) record(res *simResult, path []*Descriptor, isAdv map[peer.ID]bool, exposed *bool) {
	res.circuits++
	g, last := isAdv[path[0].Peer], isAdv[path[len(path)-2].Peer]
	if last {
		res.advLast++
	}
	if g {
		res.advGuard++
		*exposed = true
		if last {
			res.both++
		}
	}
}

func (w *simWorld) finish(res simResult, exposed []bool) simResult {
	for _, e := range exposed {
		if e {
			res.exposed++
		}
	}
	return res
}

// probe measures n relays drawn uniformly from relays, each alone: a
// probe circuit whose only relay is the one measured (partnered with a
// measurer faster than any relay, as a bandwidth scanner is), so what it
// carries is the relay's capacity, not its slowest partner's. The rate is
// recorded as the node records a circuit (Measurements.Record), so the
// weight rule is unchanged; only the source of the figure differs.
func (w *simWorld) probe(m *Measurements, relays []*Descriptor, n int, rnd *rand.Rand) {
	for range n {
		d := relays[rnd.IntN(len(relays))]
		m.Record([]peer.ID{d.Peer}, w.trueBW[d.Peer]*simProbeSeconds, simProbeSeconds*time.Second)
	}
}

// simProbeSeconds is how long a probe runs: long enough that the slowest
// relay moves minMeasureBytes. simProbesPerDay measures a fifth of the
// relays a day (each about every five days, as often as Tor's bandwidth
// scanners get round); with a tenth the both-ends figure is 1.47 f², with
// half 1.19 f².
const (
	simProbeSeconds = 10
	simProbesPerDay = simRelays / 5
)

// slowest is the bytes one second of a bulk circuit carries on path.
func (w *simWorld) slowest(path []*Descriptor) uint64 {
	s := uint64(math.MaxUint64)
	for _, d := range path[:len(path)-1] {
		s = min(s, w.trueBW[d.Peer])
	}
	return s
}

func peersOf(ds []*Descriptor) []peer.ID {
	out := make([]peer.ID, len(ds))
	for i, d := range ds {
		out[i] = d.Peer
	}
	return out
}

// simExposedBound is the fraction of clients that would ever use an
// adversarial guard in this world if every guard were drawn with exactly
// the adversary's true share of the bandwidth up on a day (it never goes
// down; honest relays are up 1-simRelayDown of the time), under the rule
// that a client builds through its first usable primary and falls back to
// the next when the earlier ones are down. Guard g2 is used once g1 is
// down on a day the client is online after its first; g3 once g1 and g2
// are. No weighting can go below it: it is the churn's doing.
func simExposedBound(f float64) float64 {
	s := f / (f + 1 - simRelayDown)
	days := float64(simDays - 1)
	p2 := 1 - math.Pow(1-simRelayDown*simClientOnline, days)
	p3 := 1 - math.Pow(1-simRelayDown*simRelayDown*simClientOnline, days)
	return s + (1-s)*s*p2 + (1-s)*(1-s)*s*p3
}

// compressedShare is the adversary's share of the path weight on a day
// with every relay up if each relay weighed min(its true bandwidth, k)
// and honest relays were up 1-simRelayDown of the time: what any rule
// yields that trusts no figure above k. k = the median claim is a client
// that measured nothing (unmeasured relays weigh at most the median);
// k = MaxUint64 is exact weights. Self-measurement sits between and
// below: a circuit runs at its slowest hop, so a large relay's measured
// peak rarely exceeds what its partners carry.
func (w *simWorld) compressedShare(f float64, k uint64) float64 {
	var adv, honest float64
	for _, d := range w.adv[:int(f*simRelays)] {
		adv += float64(min(w.trueBW[d.Peer], k))
	}
	for _, d := range w.honest {
		honest += float64(min(w.trueBW[d.Peer], k))
	}
	return adv / (adv + (1-simRelayDown)*honest)
}

// simTestClients is the test's client count: the both-ends fraction's
// standard error is about 0.1 f² and the exposed fraction's about 0.007
// there, well inside the margins the test asserts.
const simTestClients = 4000

// TestPathSecurity runs the simulation with a 10 % adversary that claims
// 2^50 B/s from relays that carry the honest mean. Under the old rules
// (runOld) every circuit had both ends adversarial and every client an
// adversarial guard. Now both ends are adversarial on at most 2 f² of the
// circuits (1.63 f² at this seed) and at most 25 % of the clients ever use
// an adversarial guard (22.6 %), within 0.05 of what perfect weights give
// under the same churn (simExposedBound, 19.9 %).
//
// The goals (1.5 f², 15 %) are not met, for two reasons measured
// here. Exposure: the adversary never goes down, honest relays are down
// one day in ten, so a client whose first guard is honest uses its second
// on some day with probability 0.91 over 30 days; with exact weights that
// alone gives 19.9 %, so 15 % needs fewer guards or less churn, not better
// weights. Both ends: middles and last relays are weighted by what this
// node measured, and a circuit's rate is its slowest hop's, so large
// honest relays are measured below their capacity while the adversary's
// mid-sized relays are not: the last relay is adversarial on 12.7 % of
// circuits instead of its true share of 10 % (BenchmarkPathSecurity prints
// both per-circuit fractions). Both ends ≈ (adversarial guard) × (adversarial
// last relay), and the guard fraction is 12.6 %, above the 10 % share, for
// the churn reason above; so 1.5 f² needs the last-relay share at or below
// 1.5 f² / 0.126 = 11.9 %. Weights that trust nothing above the median
// claim give 13.7 % (simWorld.compressedShare), self-measurement 12.7 %,
// exact weights 10 %. Any margin above the measurement is a liar's bonus
// (with 5/4 it was 2.3 f²), so the rest needs measurements that do not go
// through a bottleneck: TestPathSecurityProbed, 11.5 % and 1.22-1.41 f².
func TestPathSecurity(t *testing.T) {
	const f = 0.10
	w := simWorldOnce()
	r := w.runNew(f, 1, simTestClients, 0)
	both, exposed, bound := r.bothFrac()/(f*f), r.exposedFrac(), simExposedBound(f)
	t.Logf("f=%.2f: both ends adversarial %.3f f², clients exposed %.3f (perfect weights under this churn: %.3f)",
		f, both, exposed, bound)
	if r.circuits < simTestClients*simDays*simCircuitsPerDay/2 {
		t.Fatalf("only %d circuits built", r.circuits)
	}
	if both > 2.0 {
		t.Errorf("both ends adversarial on %.3f f² of circuits, want ≤ 2 f²", both)
	}
	if exposed > 0.25 || exposed > bound+0.05 {
		t.Errorf("%.3f of clients used an adversarial guard, want ≤ 0.25 and ≤ %.3f", exposed, bound+0.05)
	}
	if exposed < bound-0.03 {
		t.Errorf("%.3f of clients used an adversarial guard, below the %.3f any weighting allows: the simulation undercounts", exposed, bound)
	}
}

// TestPathSecurityProbed is TestPathSecurity with the measurements taken
// by probes that have no slower partner (simWorld.probe) instead of
// through clients' own 3-hop circuits, the weight rule unchanged. The
// adversary then weighs what it carries, large honest relays what they
// carry, and both ends are adversarial on at most 1.5 f² of circuits
// (1.22 f² here, 1.41 f² in the benchmark's 10,000 clients, against 1.60
// f² self-measured): the goal, met once relays are measured
// without a bottleneck. The node has no such prober yet (see
// TestPathSecurity); this run is what one would buy.
func TestPathSecurityProbed(t *testing.T) {
	const f = 0.10
	w := simWorldOnce()
	r := w.runNew(f, 1, simTestClients, simProbesPerDay)
	both, exposed, bound := r.bothFrac()/(f*f), r.exposedFrac(), simExposedBound(f)
	t.Logf("f=%.2f, probed: both ends adversarial %.3f f², clients exposed %.3f (bound %.3f)", f, both, exposed, bound)
	if both > 1.5 {
		t.Errorf("both ends adversarial on %.3f f² of circuits with probed weights, want ≤ 1.5 f²", both)
	}
	if exposed > bound+0.05 || exposed < bound-0.03 {
		t.Errorf("%.3f of clients used an adversarial guard, want within [%.3f, %.3f]", exposed, bound-0.03, bound+0.05)
	}
}

// BenchmarkPathSecurity prints the simulation's table, the old rules
// beside the new (the old on simOldClients clients: they are slow and
// their result is extreme).
func BenchmarkPathSecurity(b *testing.B) {
	w := simWorldOnce()
	b.ResetTimer()
	for range b.N {
		fmt.Fprintf(os.Stdout, "\npath security: %d relays, %d gateways, %d clients (old rules: %d), %d days, %d circuits/client-day\n",
			simRelays, simGateways, simClients, simOldClients, simDays, simCircuitsPerDay)
		fmt.Fprintf(os.Stdout, "%-5s %-7s %-8s %-9s %-10s %-12s %-10s %-13s %-15s %-12s %-12s\n",
			"f", "f^2", "share", "share^2", "both(new)", "both(probed)", "both(old)",
			"exposed(new)", "exposed(probed)", "exposed(old)", "exposed(min)")
		for _, f := range []float64{0.05, 0.10, 0.20} {
			nw, pr, old := w.runNew(f, 1, simClients, 0), w.runNew(f, 1, simClients, simProbesPerDay), w.runOld(f, 1)
			share := f / (1 + f)
			fmt.Fprintf(os.Stdout, "%-5.2f %-7.4f %-8.4f %-9.5f %-10.5f %-12.5f %-10.5f %-13.4f %-15.4f %-12.4f %-12.4f\n",
				f, f*f, share, share*share, nw.bothFrac(), pr.bothFrac(), old.bothFrac(),
				nw.exposedFrac(), pr.exposedFrac(), old.exposedFrac(), simExposedBound(f))
			median := medianClaim(w.honest)
			fmt.Fprintf(os.Stdout, "      adversarial guard/last relay per circuit: new %.4f/%.4f, probed %.4f/%.4f; "+
				"last-relay share if weights were min(true, median) %.4f, true %.4f\n",
				frac(nw.advGuard, nw.circuits), frac(nw.advLast, nw.circuits), frac(pr.advGuard, pr.circuits),
				frac(pr.advLast, pr.circuits), w.compressedShare(f, median), w.compressedShare(f, math.MaxUint64))
			if f == 0.10 {
				b.ReportMetric(nw.bothFrac()/(f*f), "both/f²")
				b.ReportMetric(nw.exposedFrac(), "exposed")
			}
		}
	}
}
