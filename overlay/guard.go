package overlay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Guard policy, after Tor's guard-spec, adapted. A client keeps a persisted
// sampled set of entry guards for weeks, filtered for eligibility (relay
// role only, never a gateway or market, a minimum age in the directory,
// not recently found unreachable), and builds every circuit through one of
// its first PrimaryGuards listed entries, confirmed ones first. Path-bias
// counters per guard set aside a guard whose circuits fail far more often
// than they should. An adversary running relays thus gets to be a client's
// first hop rarely, instead of on every circuit or whenever it makes the
// current guard look bad.
const (
	PrimaryGuards      = 3
	maxSampled         = 20
	DefaultGuardMinAge = time.Hour
	guardMinLifetime   = 30 * 24 * time.Hour
	guardMaxLifetime   = 60 * 24 * time.Hour
	guardUnlistedFor   = 20 * 24 * time.Hour // an entry missing this long is dropped
	guardRetryAfter    = 10 * time.Minute    // an unreachable guard is retried after
	guardDownGrace     = 3 * 24 * time.Hour  // a primary missing this long gives up its place
	guardFileMode      = 0o600
	guardFileVersion   = 2
)

// GuardRules filter relays for the sampled set. The zero value is the
// production policy.
type GuardRules struct {
	// MinAge is how long a relay must have been in this node's directory
	// before it may be sampled; 0 = DefaultGuardMinAge.
	MinAge time.Duration
	// TestNetworkAnyAge waives MinAge. Test networks only: their relays are
	// minutes old. (PathRules.LoopbackDistinct waives it for loopback relays.)
	TestNetworkAnyAge bool
	// Hold is how long a confirmed primary guard that is down keeps the
	// primaries after it unused: circuits wait for it (Usable fails with
	// ErrNoGuard) instead of going through another guard, until it has
	// been down for Hold as far as this node saw. 0 is guard-spec's rule,
	// the next primary at once. Every guard a client ever uses is one more
	// chance that one is hostile, and most of that chance comes from the
	// days its first guard is down (BenchmarkPathSecurity); a stealth
	// worker, whose work can wait, trades those days for it.
	Hold time.Duration
}

// GuardEntry is one sampled entry guard with its history.
type GuardEntry struct {
	Peer        peer.ID   `json:"peer"`
	Added       time.Time `json:"added"`
	Expires     time.Time `json:"expires"`
	Confirmed   time.Time `json:"confirmed,omitzero"`   // first circuit built through it
	Listed      time.Time `json:"listed,omitzero"`      // last seen in the directory
	Unreachable time.Time `json:"unreachable,omitzero"` // last failed to connect
	DownSince   time.Time `json:"down_since,omitzero"`  // its outage began (found unlisted or unreachable)
	DownSeen    time.Time `json:"down_seen,omitzero"`   // last found down (to the hour, or a quarter of the hold)
	Circuits    uint32    `json:"circuits,omitempty"`   // path bias: circuits attempted
	Succeeded   uint32    `json:"succeeded,omitempty"`  // path bias: circuits built
	SetAside    bool      `json:"set_aside,omitempty"`  // path bias: no longer used
}

// guardFile is the persisted form (version 1 was a bare list of entries).
type guardFile struct {
	Version int          `json:"version"`
	Sampled []GuardEntry `json:"sampled"`
}

// Guards is the persisted guard set of one node. It is safe for concurrent
// use; every change of membership is written to its file before it is used.
type Guards struct {
	path string // "" keeps the set in memory only (simulations)
	now  func() time.Time

	mu      sync.Mutex
	rules   GuardRules
	sampled []GuardEntry // in sampling order
	dirty   int          // counter updates not yet saved
}

// LoadGuards reads the guard file at path, or starts an empty set when the
// file does not exist yet; path "" keeps the set in memory. now may be nil.
func LoadGuards(path string, now func() time.Time) (*Guards, error) {
	if now == nil {
		now = time.Now
	}
	sampled, err := readStateFile(path, "guard", ParseGuardFile)
	if err != nil {
		return nil, err
	}
	return &Guards{path: path, now: now, sampled: sampled}, nil
}

// ParseGuardFile decodes a guard file, either version.
func ParseGuardFile(b []byte) ([]GuardEntry, error) {
	var f guardFile
	if err := json.Unmarshal(b, &f); err != nil {
		var v1 []GuardEntry
		if json.Unmarshal(b, &v1) != nil {
			return nil, err
		}
		f.Sampled = v1
	}
	seen := map[peer.ID]bool{}
	for _, e := range f.Sampled {
		if e.Peer == "" || seen[e.Peer] || e.Peer.Validate() != nil {
			return nil, errors.New("entry without a valid, unique peer")
		}
		seen[e.Peer] = true
	}
	return f.Sampled, nil
}

// EncodeGuardFile is the inverse of ParseGuardFile.
func EncodeGuardFile(entries []GuardEntry) ([]byte, error) {
	return json.MarshalIndent(guardFile{Version: guardFileVersion, Sampled: entries}, "", "  ")
}

// SetRules changes the eligibility filter for relays sampled from now on.
func (g *Guards) SetRules(r GuardRules) {
	g.mu.Lock()
	g.rules = r
	g.mu.Unlock()
}

// Sampled returns a copy of the sampled set.
func (g *Guards) Sampled() []GuardEntry {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.sampled)
}

// Primary returns the primary guards, in order of preference: confirmed
// guards first (oldest confirmation first), then unconfirmed ones in
// sampling order, none set aside. Whether each is usable right now depends
// on the directory (Pick).
func (g *Guards) Primary() []GuardEntry {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := g.ordered()
	return out[:min(len(out), PrimaryGuards)]
}

// ordered lists the entries not set aside, confirmed first; g.mu held.
func (g *Guards) ordered() []GuardEntry {
	var conf, rest []GuardEntry
	for _, e := range g.sampled {
		switch {
		case e.SetAside:
		case !e.Confirmed.IsZero():
			conf = append(conf, e)
		default:
			rest = append(rest, e)
		}
	}
	slices.SortStableFunc(conf, func(a, b GuardEntry) int { return a.Confirmed.Compare(b.Confirmed) })
	return append(conf, rest...)
}

// Pick returns the guard to use now (see PickFrom).
func (g *Guards) Pick(dir []*Descriptor, rules PathRules, rnd *rand.Rand) (peer.ID, error) {
	return g.PickFrom(NewPathSelector(dir, rules), rnd)
}

// PickFrom returns the guard for a new circuit: the first of the primary
// guards (the first PrimaryGuards entries seen in the directory within the
// last days) that is listed now and was not found unreachable in the last
// few minutes. It first drops expired and long-unlisted entries and
// samples new eligible relays while there are fewer than PrimaryGuards
// primaries, persisting any change. With no usable
// guard it fails with ErrNoGuard: never a random first hop.
func (g *Guards) PickFrom(sel *PathSelector, rnd *rand.Rand) (peer.ID, error) {
	usable, err := g.Usable(sel, rnd)
	if err != nil {
		return "", err
	}
	return usable[0], nil
}

// Usable is the primary guards usable now, in order of preference; see
// PickFrom. It never returns an empty list without an error.
func (g *Guards) Usable(sel *PathSelector, rnd *rand.Rand) ([]peer.ID, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	changed := g.expire(sel)
	for g.primaries(sel) < PrimaryGuards && len(g.sampled) < maxSampled && g.sample(sel, rnd) {
		changed = true
	}
	if changed {
		if err := g.save(); err != nil {
			return nil, err
		}
	}
	u, held := g.usable(sel)
	if len(u) > 0 {
		return u, nil
	}
	if held != nil {
		return nil, fmt.Errorf("%w: waiting for primary guard %s, down since %s, until %s before using the next",
			ErrNoGuard, held.Peer.ShortString(), held.DownSince.UTC().Format(time.RFC3339),
			held.DownSince.Add(g.rules.Hold).UTC().Format(time.RFC3339))
	}
	return nil, fmt.Errorf("%w (%d sampled, none usable)", ErrNoGuard, len(g.sampled))
}

// usable lists the primary guards usable now; g.mu held. The primaries
// are the first PrimaryGuards entries seen in the directory within
// guardDownGrace: one that is briefly missing (a relay restarting, a day
// of churn) keeps its place instead of pulling a fresh relay into the
// primaries, since every extra guard a client ever uses is one more chance
// that one of them is hostile. A confirmed primary that is down holds back
// the unconfirmed ones after it for rules.Hold (held says which); confirmed
// ones already know this node and stay usable.
func (g *Guards) usable(sel *PathSelector) (out []peer.ID, held *GuardEntry) {
	primaries, now := 0, g.now()
	for _, e := range g.ordered() {
		if primaries == PrimaryGuards {
			break
		}
		d := sel.Get(e.Peer)
		if d != nil && !guardRole(d) || d == nil && now.Sub(e.Listed) >= guardDownGrace {
			continue
		}
		primaries++
		switch {
		case held != nil && e.Confirmed.IsZero():
		case d != nil && now.Sub(e.Unreachable) >= guardRetryAfter:
			out = append(out, e.Peer)
		case held == nil && g.holding(e, now):
			held = &e
		}
	}
	return out, held
}

// Holding is the confirmed primary guard that holds back the others now
// (GuardRules.Hold), or "" when none does.
func (g *Guards) Holding(sel *PathSelector) peer.ID {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, held := g.usable(sel); held != nil {
		return held.Peer
	}
	return ""
}

// markDown notes that e is down at now, as this node sees it, and reports
// whether that changed e. An outage begins unless one is under way and was
// seen within the hold: after a longer gap (this node was off, or did not
// look) the guard may have worked in between, and the wait starts afresh.
// g.mu held.
func (g *Guards) markDown(e *GuardEntry, now time.Time) bool {
	gap := max(g.rules.Hold, guardRetryAfter)
	switch {
	case e.DownSince.IsZero() || now.Sub(e.DownSeen) > gap:
		e.DownSince, e.DownSeen = now, now
	case now.Sub(e.DownSeen) >= min(time.Hour, gap/4): // often enough never to look like a gap
		e.DownSeen = now
	default:
		return false
	}
	return true
}

// holding: e, a primary that is down now, still holds back the primaries
// after it; g.mu held.
func (g *Guards) holding(e GuardEntry, now time.Time) bool {
	return g.rules.Hold > 0 && !e.Confirmed.IsZero() && !e.DownSince.IsZero() && now.Sub(e.DownSince) < g.rules.Hold
}

// primaries counts the primary guards, usable now or not; g.mu held.
func (g *Guards) primaries(sel *PathSelector) int {
	n, now := 0, g.now()
	for _, e := range g.ordered() {
		d := sel.Get(e.Peer)
		if d != nil && guardRole(d) || d == nil && now.Sub(e.Listed) < guardDownGrace {
			n++
		}
	}
	return n
}

// guardRole: a relay and nothing else. A gateway or market that could be
// a guard would learn the addresses of the clients that reach it.
func guardRole(d *Descriptor) bool {
	return d.Roles&RoleRelay != 0 && d.Roles&(RoleGateway|RoleMarket) == 0
}

// eligible says whether d may enter the sampled set; g.mu held.
func (g *Guards) eligible(d *Descriptor, rules PathRules) bool {
	if !guardRole(d) || g.holds(d.Peer) {
		return false
	}
	if g.rules.TestNetworkAnyAge || (rules.LoopbackDistinct && allLoopback(d.Addrs)) {
		return true
	}
	minAge := g.rules.MinAge
	if minAge == 0 {
		minAge = DefaultGuardMinAge
	}
	return !d.FirstSeen.IsZero() && g.now().Sub(d.FirstSeen) >= minAge
}

func allLoopback(addrs []ma.Multiaddr) bool {
	for _, a := range addrs {
		if ip := addrIP(a); ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return len(addrs) > 0
}

// expire drops entries past their lifetime or unlisted for weeks, notes
// when listed ones were seen and when unlisted ones were first found
// missing; g.mu held.
func (g *Guards) expire(sel *PathSelector) bool {
	now, kept, changed := g.now(), g.sampled[:0], false
	for _, e := range g.sampled {
		// A time after now is a clock that went back: it is now, or an
		// outage would be held (or not) for as long as the clock was ahead.
		for _, t := range []*time.Time{&e.Listed, &e.Unreachable, &e.DownSince, &e.DownSeen} {
			if t.After(now) {
				*t, changed = now, true
			}
		}
		if sel.Get(e.Peer) != nil {
			if now.Sub(e.Listed) > time.Hour {
				e.Listed, changed = now, true
			}
			if !e.DownSince.IsZero() && e.Unreachable.Before(e.DownSince) {
				e.DownSince, changed = time.Time{}, true // listed again after it went missing
			}
		} else if e.Listed.IsZero() {
			e.Listed, changed = now, true // from a version 1 file
		} else if sel.Len() > 0 {
			// Missing from a directory that lists others (an empty one,
			// before the first fetch, says nothing about this relay).
			changed = g.markDown(&e, now) || changed
		}
		if now.Before(e.Expires) && now.Sub(e.Listed) < guardUnlistedFor {
			kept = append(kept, e)
		}
	}
	changed = changed || len(kept) != len(g.sampled)
	g.sampled = kept
	return changed
}

// sample adds one eligible relay, weighted by its guard weight
// (guardWeightOf); g.mu held.
func (g *Guards) sample(sel *PathSelector, rnd *rand.Rand) bool {
	d := sel.pickGuard(rnd, func(d *Descriptor) bool { return g.eligible(d, sel.rules) })
	if d == nil {
		return false
	}
	now := g.now()
	life := guardMinLifetime + time.Duration(rnd.Int64N(int64(guardMaxLifetime-guardMinLifetime)))
	g.sampled = append(g.sampled, GuardEntry{Peer: d.Peer, Added: now, Expires: now.Add(life), Listed: now})
	return true
}

func (g *Guards) holds(p peer.ID) bool { return g.find(p) >= 0 }

func (g *Guards) find(p peer.ID) int {
	for i, e := range g.sampled {
		if e.Peer == p {
			return i
		}
	}
	return -1
}

// save writes the set atomically; g.mu held. In-memory sets do nothing.
func (g *Guards) save() error {
	g.dirty = 0
	if g.path == "" {
		return nil
	}
	b, err := EncodeGuardFile(g.sampled)
	if err != nil {
		return err
	}
	return WriteFileAtomic(g.path, b, guardFileMode)
}
