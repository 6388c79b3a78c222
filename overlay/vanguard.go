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
)

// Vanguards-lite (Tor proposal 333): a second layer of guards for
// hidden-service circuits. Anyone can make a hidden service (or a client)
// build circuits at will: a hostile rendezvous point, introduction point
// or HSDir asks for one circuit after another until one of its own relays
// is picked as the middle hop next to the entry guard, and then it knows
// the guard (guard discovery), the one relay left to watch or coerce. With
// vanguards the hop after the guard of every hidden-service circuit is one
// of a few layer-2 guards kept for days, so forced circuits show the
// attacker the same L2Size relays again and again instead of sampling
// every middle relay of the network.
const (
	L2Size           = 4
	l2MinLifetime    = 24 * time.Hour
	l2MaxLifetime    = 12 * 24 * time.Hour
	l2UnlistedFor    = 24 * time.Hour // an entry missing this long is replaced
	vanguardFileMode = 0o600
	vanguardVersion  = 1
)

// VanguardEntry is one layer-2 guard.
type VanguardEntry struct {
	Peer    peer.ID   `json:"peer"`
	Added   time.Time `json:"added"`
	Expires time.Time `json:"expires"`
	Listed  time.Time `json:"listed"` // last seen in the directory
}

type vanguardFile struct {
	Version int             `json:"version"`
	Layer2  []VanguardEntry `json:"layer2"`
}

// Vanguards is the persisted layer-2 guard set of one node, safe for
// concurrent use. Every change of membership is written to its file
// before the new set is used, so a restart does not draw a fresh set (a
// service an attacker can restart at will would otherwise rotate them).
type Vanguards struct {
	path string // "" keeps the set in memory only
	now  func() time.Time

	mu     sync.Mutex
	layer2 []VanguardEntry
}

// LoadVanguards reads the vanguard file at path, or starts an empty set
// when it does not exist; path "" keeps the set in memory. now may be nil.
func LoadVanguards(path string, now func() time.Time) (*Vanguards, error) {
	if now == nil {
		now = time.Now
	}
	layer2, err := readStateFile(path, "vanguard", ParseVanguardFile)
	if err != nil {
		return nil, err
	}
	return &Vanguards{path: path, now: now, layer2: layer2}, nil
}

// ParseVanguardFile decodes a vanguard file.
func ParseVanguardFile(b []byte) ([]VanguardEntry, error) {
	var f vanguardFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.Version != vanguardVersion {
		return nil, fmt.Errorf("version %d, want %d", f.Version, vanguardVersion)
	}
	seen := map[peer.ID]bool{}
	for _, e := range f.Layer2 {
		if e.Peer == "" || seen[e.Peer] || e.Peer.Validate() != nil {
			return nil, errors.New("entry without a valid, unique peer")
		}
		seen[e.Peer] = true
	}
	return f.Layer2, nil
}

// EncodeVanguardFile is the inverse of ParseVanguardFile.
func EncodeVanguardFile(entries []VanguardEntry) ([]byte, error) {
	return json.MarshalIndent(vanguardFile{Version: vanguardVersion, Layer2: entries}, "", "  ")
}

// Layer2List returns a copy of the layer-2 set.
func (v *Vanguards) Layer2List() []VanguardEntry {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.layer2)
}

// Layer2 returns the layer-2 guards listed in sel now, for
// PathRequest.Layer2. It first drops entries past their lifetime or
// unlisted for a day and draws replacements (weighted like middle hops,
// a relay and nothing else) up to L2Size, persisting any change. With none
// listed it fails with ErrNoPath: a hidden-service circuit never falls
// back to a random second hop.
func (v *Vanguards) Layer2(sel *PathSelector, rnd *rand.Rand) ([]peer.ID, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	changed := v.expire(sel)
	for len(v.layer2) < L2Size && v.sample(sel, rnd) {
		changed = true
	}
	if changed {
		if err := v.save(); err != nil {
			return nil, err
		}
	}
	var out []peer.ID
	for _, e := range v.layer2 {
		if sel.Get(e.Peer) != nil {
			out = append(out, e.Peer)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no layer-2 guard listed (%d held)", ErrNoPath, len(v.layer2))
	}
	return out, nil
}

// expire drops entries past their lifetime, unlisted too long or no longer
// plain relays, and notes
// when listed ones were seen; v.mu held.
func (v *Vanguards) expire(sel *PathSelector) bool {
	now, kept, changed := v.now(), v.layer2[:0], false
	for _, e := range v.layer2 {
		d := sel.Get(e.Peer)
		if d != nil && !guardRole(d) {
			continue // now a gateway or market, or no longer a relay
		}
		if d != nil && now.Sub(e.Listed) > time.Hour {
			e.Listed, changed = now, true
		}
		if now.Before(e.Expires) && now.Sub(e.Listed) < l2UnlistedFor {
			kept = append(kept, e)
		}
	}
	changed = changed || len(kept) != len(v.layer2)
	v.layer2 = kept
	return changed
}

// sample adds one relay to the set; v.mu held.
func (v *Vanguards) sample(sel *PathSelector, rnd *rand.Rand) bool {
	d := sel.pick(rnd, func(d *Descriptor) bool {
		return guardRole(d) && !slices.ContainsFunc(v.layer2, func(e VanguardEntry) bool { return e.Peer == d.Peer })
	})
	if d == nil {
		return false
	}
	now := v.now()
	v.layer2 = append(v.layer2, VanguardEntry{Peer: d.Peer, Added: now, Expires: now.Add(l2Lifetime(rnd)), Listed: now})
	return true
}

// l2Lifetime is max(X, X) for X uniform in [l2MinLifetime, l2MaxLifetime]
// (as C Tor draws it: a week on average, rarely the shortest).
func l2Lifetime(rnd *rand.Rand) time.Duration {
	span := int64(l2MaxLifetime - l2MinLifetime)
	return l2MinLifetime + time.Duration(max(rnd.Int64N(span+1), rnd.Int64N(span+1)))
}

// save writes the set atomically; v.mu held.
func (v *Vanguards) save() error {
	if v.path == "" {
		return nil
	}
	b, err := EncodeVanguardFile(v.layer2)
	if err != nil {
		return err
	}
	return WriteFileAtomic(v.path, b, vanguardFileMode)
}
