package overlay

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Directory admission. Identities cost a proof of work, not nothing, but a
// Sybil may still pay for many; quotas keep one /16 or one declared family
// from holding more than a bounded share, and when a group or the whole
// directory is full, a newcomer displaces the entry least likely to be a
// working relay: first one never reached past its probation, newest first.
// First come, first served would let a flood that arrives early lock
// honest relays out for good.
const (
	DefaultPerSubnet = 32            // entries per IPv4 /16 or IPv6 /32
	DefaultPerFamily = 32            // entries per declared family
	dirProbation     = time.Hour     // an entry not reached by then ranks last
	dirReachedFresh  = 6 * time.Hour // a reach older than this no longer counts
)

// DirectoryPolicy bounds what a Directory admits; the zero value means the
// defaults. It is a network parameter, like the proof-of-work difficulty.
type DirectoryPolicy struct {
	MaxEntries int   // 0 = MaxDirectoryEntries
	PerSubnet  int   // 0 = DefaultPerSubnet
	PerFamily  int   // 0 = DefaultPerFamily
	PoWBits    uint8 // 0 = DefaultPoWBits
	// LoopbackDistinct exempts loopback addresses from the subnet quota.
	// Test networks only (see PathRules.LoopbackDistinct).
	LoopbackDistinct bool
}

func (p DirectoryPolicy) quota(group string) int {
	switch {
	case group[0] == 'f' && p.PerFamily > 0:
		return p.PerFamily
	case group[0] == 'f':
		return DefaultPerFamily
	case p.PerSubnet > 0:
		return p.PerSubnet
	}
	return DefaultPerSubnet
}

func (p DirectoryPolicy) maxEntries() int {
	if p.MaxEntries > 0 {
		return p.MaxEntries
	}
	return MaxDirectoryEntries
}

// groupsOf names the quota groups a descriptor counts against.
func (p DirectoryPolicy) groupsOf(desc *Descriptor) []string {
	var out []string
	for _, s := range subnets(desc, PathRules{LoopbackDistinct: p.LoopbackDistinct}) {
		out = append(out, "s:"+s)
	}
	if desc.Family != "" {
		out = append(out, "f:"+desc.Family)
	}
	return out
}

// admit makes room for e or refuses it; d.mu held. It evicts only once
// every check has passed.
func (d *Directory) admit(e *dirEntry, now time.Time) error {
	victims := map[*dirEntry]bool{}
	for _, g := range d.policy.groupsOf(e.desc) {
		if d.groups[g] < d.policy.quota(g) {
			continue
		}
		w := d.worst(now, func(o *dirEntry) bool { return hasGroup(d.policy.groupsOf(o.desc), g) })
		if w == nil || !better(e, w, now) {
			return ErrQuota
		}
		victims[w] = true
	}
	if len(d.byPeer)-len(victims) >= d.policy.maxEntries() {
		w := d.worst(now, func(o *dirEntry) bool { return !victims[o] })
		if w == nil || !better(e, w, now) {
			return ErrDirectoryFull
		}
		victims[w] = true
	}
	for v := range victims {
		d.remove(v.desc.Peer)
	}
	return nil
}

func hasGroup(groups []string, g string) bool {
	for _, x := range groups {
		if x == g {
			return true
		}
	}
	return false
}

// worst is the lowest-ranked entry accepted by in; d.mu held.
func (d *Directory) worst(now time.Time, in func(*dirEntry) bool) *dirEntry {
	var w *dirEntry
	for _, o := range d.byPeer {
		if in(o) && (w == nil || better(w, o, now)) {
			w = o
		}
	}
	return w
}

// tier ranks an entry: 2 reached recently, 1 on probation, 0 never reached
// past its probation.
func tier(e *dirEntry, now time.Time) int {
	switch {
	case !e.reached.IsZero() && now.Sub(e.reached) < dirReachedFresh:
		return 2
	case now.Sub(e.desc.FirstSeen) < dirProbation:
		return 1
	}
	return 0
}

// better reports whether a should stay rather than b: a higher tier, then
// (within reached and probation tiers) the longer presence; ties keep b.
func better(a, b *dirEntry, now time.Time) bool {
	ta, tb := tier(a, now), tier(b, now)
	if ta != tb {
		return ta > tb
	}
	if ta == 0 { // both unreached for long: the more recent one is the less stale
		return a.desc.FirstSeen.After(b.desc.FirstSeen)
	}
	return a.desc.FirstSeen.Before(b.desc.FirstSeen)
}

func (d *Directory) insert(e *dirEntry) {
	d.byPeer[e.desc.Peer] = e
	if d.nextExpiry.IsZero() || e.desc.Expiry.Before(d.nextExpiry) {
		d.nextExpiry = e.desc.Expiry
	}
	for _, g := range d.policy.groupsOf(e.desc) {
		d.groups[g]++
	}
}

func (d *Directory) remove(p peer.ID) {
	e, ok := d.byPeer[p]
	if !ok {
		return
	}
	delete(d.byPeer, p)
	for _, g := range d.policy.groupsOf(e.desc) {
		if d.groups[g]--; d.groups[g] <= 0 {
			delete(d.groups, g)
		}
	}
}
