package overlay

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"sort"

	"github.com/libp2p/go-libp2p/core/peer"
)

// DefaultHops is the number of relays before the destination of a circuit:
// guard, middle, middle (DESIGN.md section 3).
const DefaultHops = 3

// MaxHops bounds the relays of one path; the onion layer refuses longer circuits.
const MaxHops = 7

// pickTries bounds rejection sampling before the exact scan takes over.
const pickTries = 32

// PathRules say which relays may share a path and how much each weighs.
// The zero value is the production rule set.
type PathRules struct {
	// LoopbackDistinct treats each loopback relay as its own subnet and
	// waives the guard minimum age for loopback relays. Only test networks
	// on 127.0.0.1 set it; without it every loopback relay shares one /16
	// and no multi-hop path exists.
	LoopbackDistinct bool
	// Weights caps claimed bandwidth; the zero value is the default caps.
	Weights WeightRules
	// Measured, if set, caps the weight of relays this node has measured
	// at the peak rate they carried, and of the others at the lower
	// quartile of the claims (weight.go).
	Measured Measurer
	// Cells is the onion cells version paths are built for; relays
	// announcing another version are left out. 0 means CellsV1.
	Cells uint8
}

func (r PathRules) cells() uint8 {
	if r.Cells == 0 {
		return CellsV1
	}
	return r.Cells
}

// PathRequest asks for a path of Hops relays ending at a destination: the
// peer Dest if set, otherwise a bandwidth-weighted node with role DestRole.
type PathRequest struct {
	Hops     int     // relays before the destination; 0 means DefaultHops
	Guard    peer.ID // first hop, when the caller keeps an entry guard
	Dest     peer.ID
	DestRole Role
	// Layer2, for a hidden-service circuit, are the layer-2 guards
	// (Vanguards.Layer2): the hop after the guard is one of them that fits
	// the path, drawn uniformly, or the path fails. Needs Hops >= 2.
	Layer2 []peer.ID
}

// PathSelector holds one directory snapshot with its capped weights, so
// many paths are drawn without recomputing the median or scanning for peers.
type PathSelector struct {
	rules  PathRules
	dir    []*Descriptor
	weight []uint64
	cum    []uint64 // cum[i] = weight[0] + … + weight[i], saturating
	// gweight, gcum: the weights guards are sampled by (guardWeightOf).
	gweight, gcum []uint64
	byPeer        map[peer.ID]int
	nets          [][]string // subnets of dir[i], computed once
	// byRole[b] draws among the nodes with role bit b only, so picking
	// one of ten gateways among 10,000 relays does not scan them all.
	byRole [8]subTable
}

// subTable is a cumulative weight table over some indices of dir.
type subTable struct {
	idx []int
	cum []uint64
}

// NewPathSelector prepares dir for selection under rules. Relays of another
// cells version are left out.
func NewPathSelector(dir []*Descriptor, rules PathRules) *PathSelector {
	s := &PathSelector{rules: rules, byPeer: make(map[peer.ID]int, len(dir))}
	for _, d := range dir {
		if d.Cells == rules.cells() || d.Cells == 0 {
			s.dir = append(s.dir, d)
		}
	}
	median, unmeasured := claimQuantiles(s.dir) // unmeasured: unmeasuredCap
	limit := rules.Weights.capFor(median)
	s.weight, s.cum = make([]uint64, len(s.dir)), make([]uint64, len(s.dir))
	s.nets = make([][]string, len(s.dir))
	s.gweight, s.gcum = make([]uint64, len(s.dir)), make([]uint64, len(s.dir))
	var gtotal uint64
	var total uint64
	for i, d := range s.dir {
		s.byPeer[d.Peer] = i
		s.nets[i] = subnets(d, rules)
		s.weight[i] = weightOf(d, limit, unmeasured, rules.Measured)
		total = addSat(total, s.weight[i])
		s.gweight[i] = guardWeightOf(s.weight[i], median)
		gtotal = addSat(gtotal, s.gweight[i])
		s.gcum[i] = gtotal
		s.cum[i] = total
		for b := range s.byRole {
			if d.Roles&(1<<b) != 0 {
				t := &s.byRole[b]
				t.idx = append(t.idx, i)
				t.cum = append(t.cum, addSat(last(t.cum), s.weight[i]))
			}
		}
	}
	return s
}

func last(cum []uint64) uint64 {
	if len(cum) == 0 {
		return 0
	}
	return cum[len(cum)-1]
}

// Weight is the selection weight of p (0 if not in the snapshot).
func (s *PathSelector) Weight(p peer.ID) uint64 {
	if i, ok := s.byPeer[p]; ok {
		return s.weight[i]
	}
	return 0
}

// Len is the number of relays in the snapshot.
func (s *PathSelector) Len() int { return len(s.dir) }

// Get returns the descriptor of p in the snapshot.
func (s *PathSelector) Get(p peer.ID) *Descriptor {
	if i, ok := s.byPeer[p]; ok {
		return s.dir[i]
	}
	return nil
}

// SelectPath picks the relays of a circuit from dir: no relay twice, no two
// members (destination included) in one IPv4 /16 or IPv6 /32, no two of one
// declared family, relays chosen with probability proportional to their
// capped weight. The result is [hop1 … hopN, destination].
func SelectPath(dir []*Descriptor, req PathRequest, rules PathRules, rnd *rand.Rand) ([]*Descriptor, error) {
	return NewPathSelector(dir, rules).Select(req, rnd)
}

// Select is SelectPath on the selector's snapshot.
func (s *PathSelector) Select(req PathRequest, rnd *rand.Rand) ([]*Descriptor, error) {
	hops := req.Hops
	if hops == 0 {
		hops = DefaultHops
	}
	if hops < 1 || hops > MaxHops {
		return nil, fmt.Errorf("overlay: path of %d relays (want 1..%d)", hops, MaxHops)
	}
	if len(req.Layer2) > 0 && hops < 2 {
		return nil, fmt.Errorf("overlay: hidden-service path of %d relays (want at least 2)", hops)
	}
	dest, err := s.pickDest(req, rnd)
	if err != nil {
		return nil, err
	}
	path := []*Descriptor{dest}
	if req.Guard != "" {
		g := s.Get(req.Guard)
		if g == nil || g.Roles&RoleRelay == 0 || s.conflicts(g, path) {
			return nil, fmt.Errorf("%w: entry guard unusable for this destination", ErrNoPath)
		}
		path = append(path, g)
	}
	for len(path) < hops+1 {
		fits := func(d *Descriptor) bool { return d.Roles&RoleRelay != 0 && !s.conflicts(d, path) }
		if len(path) == 2 && len(req.Layer2) > 0 {
			l2 := s.pickLayer2(req.Layer2, rnd, fits)
			if l2 == nil {
				return nil, fmt.Errorf("%w: no layer-2 guard fits this path", ErrNoPath)
			}
			path = append(path, l2)
			continue
		}
		next := s.pick(rnd, fits)
		if next == nil {
			return nil, fmt.Errorf("%w: need %d relays, found %d", ErrNoPath, hops, len(path)-1)
		}
		path = append(path, next)
	}
	// path is [dest, guard?, middles…]; put it in travel order.
	out := make([]*Descriptor, 0, hops+1)
	out = append(out, path[1:]...)
	return append(out, dest), nil
}

// pickLayer2 draws uniformly among the layer-2 guards in the snapshot
// that ok accepts (as Tor does: their weight played its part when they
// were sampled).
func (s *PathSelector) pickLayer2(l2 []peer.ID, rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	var fit []*Descriptor
	for _, p := range l2 {
		if d := s.Get(p); d != nil && guardRole(d) && ok(d) {
			fit = append(fit, d)
		}
	}
	if len(fit) == 0 {
		return nil
	}
	return fit[rnd.IntN(len(fit))]
}

func (s *PathSelector) pickDest(req PathRequest, rnd *rand.Rand) (*Descriptor, error) {
	if req.Dest != "" {
		if d := s.Get(req.Dest); d != nil {
			return d, nil
		}
		return nil, fmt.Errorf("%w: destination not in directory", ErrNoPath)
	}
	if req.DestRole == 0 {
		return nil, fmt.Errorf("overlay: path request names no destination")
	}
	ok := func(d *Descriptor) bool { return d.Roles&req.DestRole != 0 && d.Peer != req.Guard }
	var d *Descriptor
	if b := bits.TrailingZeros8(uint8(req.DestRole)); req.DestRole == 1<<b {
		d = s.pickIn(&s.byRole[b], rnd, ok)
	} else {
		d = s.pick(rnd, ok)
	}
	if d == nil {
		return nil, fmt.Errorf("%w: no node with role %v", ErrNoPath, req.DestRole.Names())
	}
	return d, nil
}

// pick draws one descriptor accepted by ok with probability proportional
// to its weight: rejection sampling over the whole snapshot (exact: a draw
// conditioned on acceptance), then an exact scan when ok accepts few.
func (s *PathSelector) pick(rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	return s.pickBy(s.weight, s.cum, rnd, ok)
}

// pickGuard is pick by the guard sampling weights.
func (s *PathSelector) pickGuard(rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	return s.pickBy(s.gweight, s.gcum, rnd, ok)
}

func (s *PathSelector) pickBy(weight, cum []uint64, rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	if len(s.dir) == 0 {
		return nil
	}
	total := cum[len(cum)-1]
	for range pickTries {
		x := rnd.Uint64N(total)
		i := sort.Search(len(cum), func(i int) bool { return cum[i] > x })
		if ok(s.dir[i]) {
			return s.dir[i]
		}
	}
	return s.scan(weight, rnd, nil, ok)
}

// pickIn is pick restricted to the nodes of t.
func (s *PathSelector) pickIn(t *subTable, rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	if len(t.idx) == 0 {
		return nil
	}
	total := last(t.cum)
	for range pickTries {
		x := rnd.Uint64N(total)
		j := sort.Search(len(t.cum), func(j int) bool { return t.cum[j] > x })
		if d := s.dir[t.idx[j]]; ok(d) {
			return d
		}
	}
	return s.scan(s.weight, rnd, t.idx, ok)
}

// scan draws exactly among the nodes (of idx, or all when idx is nil)
// that ok accepts.
func (s *PathSelector) scan(weight []uint64, rnd *rand.Rand, idx []int, ok func(*Descriptor) bool) *Descriptor {
	if idx == nil {
		idx = make([]int, len(s.dir))
		for i := range idx {
			idx[i] = i
		}
	}
	var total uint64
	for _, i := range idx {
		if ok(s.dir[i]) {
			total = addSat(total, weight[i])
		}
	}
	if total == 0 {
		return nil
	}
	x := rnd.Uint64N(total)
	for _, i := range idx {
		if !ok(s.dir[i]) {
			continue
		}
		if x < weight[i] {
			return s.dir[i]
		}
		x -= weight[i]
	}
	return nil
}

// conflicts is conflicts on the selector's precomputed subnets.
func (s *PathSelector) conflicts(d *Descriptor, others []*Descriptor) bool {
	nd := s.netsOf(d)
	for _, o := range others {
		if o.Peer == d.Peer || (d.Family != "" && d.Family == o.Family) || netsOverlap(nd, s.netsOf(o)) {
			return true
		}
	}
	return false
}

func (s *PathSelector) netsOf(d *Descriptor) []string {
	if i, ok := s.byPeer[d.Peer]; ok && s.dir[i] == d {
		return s.nets[i]
	}
	return subnets(d, s.rules)
}

// conflicts reports whether d may not join a path holding others.
func conflicts(d *Descriptor, others []*Descriptor, rules PathRules) bool {
	for _, o := range others {
		if o.Peer == d.Peer || (d.Family != "" && d.Family == o.Family) || sameSubnet(d, o, rules) {
			return true
		}
	}
	return false
}
