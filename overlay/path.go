package overlay

import (
	"fmt"
	"math/rand/v2"
	"net"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// DefaultHops is the number of relays before the destination of a circuit:
// guard, middle, middle (DESIGN.md section 3).
const DefaultHops = 3

// MaxHops bounds the relays of one path; the onion layer refuses longer circuits.
const MaxHops = 7

// minWeight is the selection weight of a relay advertising less bandwidth,
// so a relay claiming 0 is rarely chosen but not impossible to reach.
const minWeight = 1 << 10

// PathRules say which relays may share a path.
type PathRules struct {
	// LoopbackDistinct treats each loopback relay as its own subnet. Only
	// test networks on 127.0.0.1 set it; without it every loopback relay
	// shares one /16 and no multi-hop path exists.
	LoopbackDistinct bool
}

// PathRequest asks for a path of Hops relays ending at a destination: the
// peer Dest if set, otherwise a bandwidth-weighted node with role DestRole.
type PathRequest struct {
	Hops     int     // relays before the destination; 0 means DefaultHops
	Guard    peer.ID // first hop, when the caller keeps an entry guard
	Dest     peer.ID
	DestRole Role
}

// SelectPath picks the relays of a circuit from dir: no relay twice, no two
// members (destination included) in one IPv4 /16 or IPv6 /32, no two of one
// declared family, relays chosen with probability proportional to their
// advertised bandwidth. The result is [hop1 … hopN, destination].
func SelectPath(dir []*Descriptor, req PathRequest, rules PathRules, rnd *rand.Rand) ([]*Descriptor, error) {
	hops := req.Hops
	if hops == 0 {
		hops = DefaultHops
	}
	if hops < 1 || hops > MaxHops {
		return nil, fmt.Errorf("overlay: path of %d relays (want 1..%d)", hops, MaxHops)
	}
	dest, err := pickDest(dir, req, rules, rnd)
	if err != nil {
		return nil, err
	}
	path := []*Descriptor{dest}
	if req.Guard != "" {
		g := find(dir, req.Guard)
		if g == nil || g.Roles&RoleRelay == 0 || conflicts(g, path, rules) {
			return nil, fmt.Errorf("%w: entry guard unusable for this destination", ErrNoPath)
		}
		path = append(path, g)
	}
	for len(path) < hops+1 {
		next := weightedPick(dir, rnd, func(d *Descriptor) bool {
			return d.Roles&RoleRelay != 0 && !conflicts(d, path, rules)
		})
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

func pickDest(dir []*Descriptor, req PathRequest, rules PathRules, rnd *rand.Rand) (*Descriptor, error) {
	if req.Dest != "" {
		if d := find(dir, req.Dest); d != nil {
			return d, nil
		}
		return nil, fmt.Errorf("%w: destination not in directory", ErrNoPath)
	}
	if req.DestRole == 0 {
		return nil, fmt.Errorf("overlay: path request names no destination")
	}
	d := weightedPick(dir, rnd, func(d *Descriptor) bool {
		return d.Roles&req.DestRole != 0 && d.Peer != req.Guard
	})
	if d == nil {
		return nil, fmt.Errorf("%w: no node with role %v", ErrNoPath, req.DestRole.Names())
	}
	return d, nil
}

func find(dir []*Descriptor, p peer.ID) *Descriptor {
	for _, d := range dir {
		if d.Peer == p {
			return d
		}
	}
	return nil
}

// weightedPick draws one descriptor accepted by ok, weighted by bandwidth.
func weightedPick(dir []*Descriptor, rnd *rand.Rand, ok func(*Descriptor) bool) *Descriptor {
	var total uint64
	for _, d := range dir {
		if ok(d) {
			total += weight(d)
		}
	}
	if total == 0 {
		return nil
	}
	x := rnd.Uint64N(total)
	for _, d := range dir {
		if !ok(d) {
			continue
		}
		if w := weight(d); x < w {
			return d
		} else {
			x -= w
		}
	}
	return nil
}

func weight(d *Descriptor) uint64 { return max(d.Bandwidth, minWeight) }

// conflicts reports whether d may not join a path holding others.
func conflicts(d *Descriptor, others []*Descriptor, rules PathRules) bool {
	for _, o := range others {
		if o.Peer == d.Peer || (d.Family != "" && d.Family == o.Family) || sameSubnet(d, o, rules) {
			return true
		}
	}
	return false
}

func sameSubnet(a, b *Descriptor, rules PathRules) bool {
	for _, x := range subnets(a, rules) {
		for _, y := range subnets(b, rules) {
			if x == y {
				return true
			}
		}
	}
	return false
}

// subnets lists the /16 (IPv4) and /32 (IPv6) networks a relay listens in.
func subnets(d *Descriptor, rules PathRules) []string {
	var out []string
	for _, a := range d.Addrs {
		ip := addrIP(a)
		if ip == nil || (rules.LoopbackDistinct && ip.IsLoopback()) {
			continue
		}
		if v4 := ip.To4(); v4 != nil {
			out = append(out, v4.Mask(net.CIDRMask(16, 32)).String())
		} else {
			out = append(out, ip.Mask(net.CIDRMask(32, 128)).String())
		}
	}
	return out
}

func addrIP(a ma.Multiaddr) net.IP {
	if s, err := a.ValueForProtocol(ma.P_IP4); err == nil {
		return net.ParseIP(s)
	}
	if s, err := a.ValueForProtocol(ma.P_IP6); err == nil {
		return net.ParseIP(s)
	}
	return nil
}
