package overlay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Guard policy, after Tor's guard-spec: a client keeps a short list of
// primary entry guards for weeks, so an adversary running relays gets to be
// its first hop rarely instead of on every circuit.
const (
	PrimaryGuards    = 3
	guardMinLifetime = 30 * 24 * time.Hour
	guardMaxLifetime = 60 * 24 * time.Hour
	guardFileMode    = 0o600
)

// GuardEntry is one persisted entry guard.
type GuardEntry struct {
	Peer    peer.ID   `json:"peer"`
	Added   time.Time `json:"added"`
	Expires time.Time `json:"expires"`
}

// Guards is the persisted primary guard list of one node. It is safe for
// concurrent use; every change is written to its file before it is used.
type Guards struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	primary []GuardEntry
}

// LoadGuards reads the guard file at path, or starts an empty list when the
// file does not exist yet. now may be nil for time.Now.
func LoadGuards(path string, now func() time.Time) (*Guards, error) {
	if now == nil {
		now = time.Now
	}
	g := &Guards{path: path, now: now}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("overlay: read guards: %w", err)
	}
	if err := json.Unmarshal(b, &g.primary); err != nil {
		return nil, fmt.Errorf("overlay: guard file %s is corrupt: %w", filepath.Base(path), err)
	}
	return g, nil
}

// Primary returns a copy of the primary guard list, in order of preference.
func (g *Guards) Primary() []GuardEntry {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GuardEntry(nil), g.primary...)
}

// Pick returns the guard to use now: the first primary guard present in
// dir. It first drops guards past their lifetime and tops the list up to
// PrimaryGuards with bandwidth-weighted relays, persisting any change.
// A primary guard missing from dir keeps its place (it may be briefly
// offline) but is skipped.
func (g *Guards) Pick(dir []*Descriptor, rules PathRules, rnd *rand.Rand) (peer.ID, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	changed := g.expire()
	if g.fill(dir, rules, rnd) {
		changed = true
	}
	if changed {
		if err := g.save(); err != nil {
			return "", err
		}
	}
	for _, e := range g.primary {
		if d := find(dir, e.Peer); d != nil && d.Roles&RoleRelay != 0 {
			return e.Peer, nil
		}
	}
	return "", fmt.Errorf("%w: no primary guard is in the directory", ErrNoPath)
}

func (g *Guards) expire() bool {
	now, kept := g.now(), g.primary[:0]
	for _, e := range g.primary {
		if now.Before(e.Expires) {
			kept = append(kept, e)
		}
	}
	changed := len(kept) != len(g.primary)
	g.primary = kept
	return changed
}

func (g *Guards) fill(dir []*Descriptor, rules PathRules, rnd *rand.Rand) bool {
	changed := false
	for len(g.primary) < PrimaryGuards {
		held := make([]*Descriptor, 0, len(g.primary))
		for _, e := range g.primary {
			if d := find(dir, e.Peer); d != nil {
				held = append(held, d)
			}
		}
		d := weightedPick(dir, rnd, func(d *Descriptor) bool {
			return d.Roles&RoleRelay != 0 && !g.holds(d.Peer) && !conflicts(d, held, rules)
		})
		if d == nil {
			return changed
		}
		now := g.now()
		life := guardMinLifetime + time.Duration(rnd.Int64N(int64(guardMaxLifetime-guardMinLifetime)))
		g.primary = append(g.primary, GuardEntry{Peer: d.Peer, Added: now, Expires: now.Add(life)})
		changed = true
	}
	return changed
}

func (g *Guards) holds(p peer.ID) bool {
	for _, e := range g.primary {
		if e.Peer == p {
			return true
		}
	}
	return false
}

// save writes the list atomically: a temporary file, fsync, rename.
func (g *Guards) save() error {
	b, err := json.MarshalIndent(g.primary, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(g.path, b, guardFileMode)
}

// WriteFileAtomic replaces path with data so that a crash leaves either the
// old or the new content, never a torn file.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("overlay: write %s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
