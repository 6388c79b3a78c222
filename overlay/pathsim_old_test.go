package overlay

import (
	"math/rand/v2"
	"sort"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Today's rules, copied from commit 3a8a8bb for the simulation's
// comparison: weights are raw claims (at least minWeight), guards are any
// relay (no age, no role filter, no path bias), a node without a primary
// guard in its directory builds with a random first hop (node/circuits.go).
// The weighted draw keeps the old distribution (claim-proportional over the
// accepted relays) but uses a cumulative table so 10,000 relays stay
// affordable; the old code scanned linearly.

type simOldSampler struct {
	dir []*Descriptor
	cum []uint64
	in  map[peer.ID]*Descriptor
}

func newSimOldSampler(dir []*Descriptor) *simOldSampler {
	s := &simOldSampler{dir: dir, cum: make([]uint64, len(dir)), in: map[peer.ID]*Descriptor{}}
	var total uint64
	for i, d := range dir {
		total += max(d.Bandwidth, minWeight) // wraps, as the old sum did
		s.cum[i] = total
		s.in[d.Peer] = d
	}
	return s
}

func (s *simOldSampler) pick(rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	for range 64 {
		x := rnd.Uint64N(s.cum[len(s.cum)-1])
		i := sort.Search(len(s.cum), func(i int) bool { return s.cum[i] > x })
		if ok(s.dir[i]) {
			return s.dir[i]
		}
	}
	var total uint64 // the old linear scan
	for _, d := range s.dir {
		if ok(d) {
			total += max(d.Bandwidth, minWeight)
		}
	}
	if total == 0 {
		return nil
	}
	x := rnd.Uint64N(total)
	for _, d := range s.dir {
		if !ok(d) {
			continue
		}
		if w := max(d.Bandwidth, minWeight); x < w {
			return d
		} else {
			x -= w
		}
	}
	return nil
}

// selectOld is the old SelectPath with a guard (or none).
func (s *simOldSampler) selectOld(guard *Descriptor, rnd *rand.Rand) []*Descriptor {
	rules := PathRules{}
	dest := s.pick(rnd, func(d *Descriptor) bool { return d.Roles&RoleGateway != 0 })
	path := []*Descriptor{dest}
	if guard != nil {
		if conflicts(guard, path, rules) {
			return nil
		}
		path = append(path, guard)
	}
	for len(path) < DefaultHops+1 {
		next := s.pick(rnd, func(d *Descriptor) bool { return d.Roles&RoleRelay != 0 && !conflicts(d, path, rules) })
		if next == nil {
			return nil
		}
		path = append(path, next)
	}
	return append(path[1:], dest)
}

type simOldGuard struct {
	p       peer.ID
	expires time.Time
}

// oldPick is the old Guards.Pick: drop expired, fill to three weighted
// relays, use the first one present today.
func oldPick(gs []simOldGuard, s *simOldSampler, now time.Time, rnd *rand.Rand) ([]simOldGuard, *Descriptor) {
	kept := gs[:0]
	for _, g := range gs {
		if now.Before(g.expires) {
			kept = append(kept, g)
		}
	}
	gs = kept
	for len(gs) < PrimaryGuards {
		d := s.pick(rnd, func(d *Descriptor) bool {
			if d.Roles&RoleRelay == 0 {
				return false
			}
			for _, g := range gs {
				if g.p == d.Peer {
					return false
				}
			}
			return true
		})
		if d == nil {
			break
		}
		life := guardMinLifetime + time.Duration(rnd.Int64N(int64(guardMaxLifetime-guardMinLifetime)))
		gs = append(gs, simOldGuard{d.Peer, now.Add(life)})
	}
	for _, g := range gs {
		if d := s.in[g.p]; d != nil {
			return gs, d
		}
	}
	return gs, nil // node/circuits.go then built unguarded
}

// runOld simulates today's rules on the same world.
func (w *simWorld) runOld(f float64, seed uint64) simResult {
	rnd := seeded(seed)
	adv := w.adv[:int(f*simRelays)]
	isAdv := map[peer.ID]bool{}
	for _, d := range adv {
		isAdv[d.Peer] = true
	}
	now := w.start
	guards := make([][]simOldGuard, simOldClients)
	res := simResult{clients: simOldClients}
	exposed := make([]bool, simOldClients)
	churn := newSimChurn(simOpts{}, len(w.honest))
	for range simDays {
		s := newSimOldSampler(w.simDay(adv, rnd, churn))
		for c := range simOldClients {
			if rnd.Float64() >= simClientOnline {
				continue
			}
			for range simCircuitsPerDay {
				res.requests++
				var g *Descriptor
				guards[c], g = oldPick(guards[c], s, now, rnd)
				path := s.selectOld(g, rnd)
				if path == nil {
					path = s.selectOld(nil, rnd)
				}
				if path != nil {
					w.record(&res, path, isAdv, &exposed[c])
				}
			}
		}
		now = now.Add(24 * time.Hour)
	}
	return w.finish(res, exposed)
}
