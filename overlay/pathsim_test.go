package overlay

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
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
// instead of one per client and day).
//
// Scale: 10,000 relays, simClients clients, 30 days. Run with
//
//	go test ./overlay -run XXX -bench PathSecurity -benchtime 1x
const (
	simRelays         = 10000
	simGateways       = 10
	simClients        = 1000
	simDays           = 30
	simCircuitsPerDay = 2
	simRelayDown      = 0.1
	simClientOnline   = 0.8
	simAdvClaim       = 1 << 50
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
		add := func(i int, roles Role, bw, truth uint64, k int) {
			raw := simDescriptor(i, roles, bw, expiry)
			if _, err := dir.Add(raw, ""); err != nil {
				panic(err)
			}
			d, _ := ParseDescriptor(raw)
			w.trueBW[d.Peer], kind[d.Peer] = truth, k
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
	exposed        int // clients that ever used an adversarial guard
	clients        int
}

func (r simResult) bothFrac() float64    { return float64(r.both) / float64(max(r.circuits, 1)) }
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

// runNew simulates the rules of this package.
func (w *simWorld) runNew(f float64, seed uint64) simResult {
	rnd := seeded(seed)
	adv := w.adv[:int(f*simRelays)]
	isAdv := map[peer.ID]bool{}
	for _, d := range adv {
		isAdv[d.Peer] = true
	}
	now := w.start
	clock := func() time.Time { return now }
	m := NewMeasurements(clock)
	guards := make([]*Guards, simClients)
	for i := range guards {
		guards[i], _ = LoadGuards("", clock)
	}
	res := simResult{clients: simClients}
	exposed := make([]bool, simClients)
	for range simDays {
		sel := NewPathSelector(w.simDay(adv, rnd), PathRules{Measured: m})
		for c := range simClients {
			if rnd.Float64() >= simClientOnline {
				continue
			}
			for range simCircuitsPerDay {
				guard, err := guards[c].PickFrom(sel, rnd)
				if err != nil {
					continue
				}
				path, err := sel.Select(PathRequest{Guard: guard, DestRole: RoleGateway}, rnd)
				if err != nil {
					continue
				}
				guards[c].Built(guard)
				w.record(&res, path, isAdv, &exposed[c])
				m.Record(peersOf(path[:len(path)-1]), w.slowest(path), time.Second)
			}
		}
		now = now.Add(24 * time.Hour)
	}
	return w.finish(res, exposed)
}

func (w *simWorld) record(res *simResult, path []*Descriptor, isAdv map[peer.ID]bool, exposed *bool) {
	res.circuits++
	g, last := isAdv[path[0].Peer], isAdv[path[len(path)-2].Peer]
	if g {
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

func BenchmarkPathSecurity(b *testing.B) {
	w := simWorldOnce()
	b.ResetTimer()
	for range b.N {
		fmt.Fprintf(os.Stdout, "\npath security: %d relays, %d gateways, %d clients, %d days, %d circuits/client-day\n",
			simRelays, simGateways, simClients, simDays, simCircuitsPerDay)
		fmt.Fprintf(os.Stdout, "%-5s %-7s %-8s %-9s %-10s %-10s %-13s %-12s\n",
			"f", "f^2", "share", "share^2", "both(new)", "both(old)", "exposed(new)", "exposed(old)")
		for _, f := range []float64{0.05, 0.10, 0.20} {
			nw, old := w.runNew(f, 1), w.runOld(f, 1)
			share := f / (1 + f)
			fmt.Fprintf(os.Stdout, "%-5.2f %-7.4f %-8.4f %-9.5f %-10.5f %-10.5f %-13.4f %-12.4f\n",
				f, f*f, share, share*share, nw.bothFrac(), old.bothFrac(), nw.exposedFrac(), old.exposedFrac())
			if f == 0.10 {
				b.ReportMetric(nw.bothFrac()/(f*f), "both/f²")
				b.ReportMetric(nw.exposedFrac(), "exposed")
			}
		}
	}
}
