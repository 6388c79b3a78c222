package ledger

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"time"
)

// keysetCache shares derived keysets between Mints of one process (every
// derivation costs 32 scalar multiplications), keyed by a hash of the master
// secret and the day, so the secret itself is not kept as a key.
type keysetCache struct{ m sync.Map }

type keysetKey struct {
	master [32]byte
	day    int64
}

var derivedKeysets keysetCache

func (c *keysetCache) get(master []byte, d int64) (*Keyset, error) {
	k := keysetKey{sha256.Sum256(master), d}
	if ks, ok := c.m.Load(k); ok {
		return ks.(*Keyset), nil
	}
	ks, err := DeriveKeyset(master, d)
	if err != nil {
		return nil, err
	}
	c.m.Store(k, ks)
	return ks, nil
}

// graceDays is how long after expiry a keyset is still recognised, so its
// units are refused as expired (12003) rather than unknown (12001).
const graceDays = 30

var lifetimeDays = int64(Lifetime / day)

// The keyset rule. A unit lives 30 days from the start of the UTC day it
// was issued: each day has its own keyset whose ID commits to that final
// expiry. Every keyset that has not expired is active (NUT-01 lets a mint
// keep several), so a stock wallet, which builds outputs only in active
// keysets, can always find one for its inputs. An output of a swap (or of
// an escrow's change) may use any active keyset that expires no later than
// the earliest-expiring input: a swap may shorten a unit's life, never
// extend it. Outputs in a later keyset are refused with 12002 naming the
// latest allowed expiry and a keyset that meets it. Mint outputs may use
// any active keyset; today's, the newest, gives the full 30 days.

// ActiveKeyset returns today's keyset, the newest active one.
func (m *Mint) ActiveKeyset() (*Keyset, error) { return m.keysetForDay(DayOf(m.now())) }

func (m *Mint) keysetForDay(d int64) (*Keyset, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keysetLocked(d)
}

func (m *Mint) keysetLocked(d int64) (*Keyset, error) {
	if ks, ok := m.byDay[d]; ok {
		return ks, nil
	}
	ks, err := derivedKeysets.get(m.cfg.Master, d)
	if err != nil {
		return nil, err
	}
	m.byDay[d] = ks
	m.byID[ks.ID] = ks
	return ks, nil
}

// Keyset returns the keyset with the given ID, expired or not, as long as
// it is within the recognised window; otherwise ErrUnknownKeyset.
func (m *Mint) Keyset(id KeysetID) (*Keyset, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ks, ok := m.byID[id]; ok {
		return ks, nil
	}
	today := DayOf(m.now())
	for d := today; d > today-lifetimeDays-graceDays; d-- {
		ks, err := m.keysetLocked(d)
		if err != nil {
			return nil, err
		}
		if ks.ID == id {
			return ks, nil
		}
	}
	return nil, fmt.Errorf("%w: %.16s…", ErrUnknownKeyset, id)
}

// Keysets returns the keysets whose units are accepted now, all of them
// active, newest first.
func (m *Mint) Keysets() ([]*Keyset, error) {
	now := m.now()
	today := DayOf(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Keyset
	for d := today; d >= today-lifetimeDays; d-- {
		ks, err := m.keysetLocked(d)
		if err != nil {
			return nil, err
		}
		if !ks.Expired(now) {
			out = append(out, ks)
		}
	}
	return out, nil
}

// usable returns the keyset of id if its units are accepted at now.
func (m *Mint) usable(id KeysetID, now time.Time) (*Keyset, error) {
	ks, err := m.Keyset(id)
	if err != nil {
		return nil, err
	}
	if ks.Expired(now) {
		return nil, fmt.Errorf("%w: keyset %.16s… expired at %s", ErrExpired, id,
			time.Unix(ks.FinalExpiry, 0).UTC().Format(time.RFC3339))
	}
	return ks, nil
}

// IsActive reports whether the mint signs outputs with ks now: it has not
// expired (and is not from the future).
func (m *Mint) IsActive(ks *Keyset) bool { return m.isActiveAt(ks, m.now()) }

func (m *Mint) isActiveAt(ks *Keyset, now time.Time) bool {
	return !ks.Expired(now) && ks.Day <= DayOf(now)
}

// earliest returns the keyset among kss that expires first.
func earliest(kss []*Keyset) *Keyset {
	return slices.MinFunc(kss, func(a, b *Keyset) int { return int(a.FinalExpiry - b.FinalExpiry) })
}
