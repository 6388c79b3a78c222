package hs

// The INTRODUCE replay cache (rend-spec-v3 §3.4.1: services must refuse a
// replayed INTRODUCE2, or an intro point could make the service build
// circuits to a rendezvous point of its choice again and again, a
// guard-discovery attack). Entries are the Noise ephemeral keys of
// handshakes that decrypted, per auth key, in buckets by the
// introduction's own authenticated timestamp. An introduction older than
// Window is refused as stale, so a bucket whose every entry is older than
// that can be dropped: a replay of them is refused by time. Max bounds the
// entries of one auth key; when full, new introductions are refused and the
// service should rotate that introduction point.

import (
	"fmt"
	"time"
)

// Replay-cache defaults.
const (
	DefaultReplayWindow = time.Hour
	DefaultReplaySkew   = 30 * time.Minute
	DefaultReplayMax    = 1 << 16
	replayBuckets       = 6
)

// ReplayCache remembers introductions per auth key. The zero value is not
// usable; make one with NewReplayCache.
type ReplayCache struct {
	window, skew time.Duration
	max          int
	keys         map[[32]byte]*keyReplay
}

type keyReplay struct {
	buckets map[int64]map[[32]byte]struct{}
	n       int
}

// NewReplayCache returns a cache; zero arguments take the defaults.
func NewReplayCache(window, skew time.Duration, max int) *ReplayCache {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	if skew <= 0 {
		skew = DefaultReplaySkew
	}
	if max <= 0 {
		max = DefaultReplayMax
	}
	return &ReplayCache{window: window, skew: skew, max: max, keys: map[[32]byte]*keyReplay{}}
}

func (c *ReplayCache) bucketLen() time.Duration { return c.window / replayBuckets }

func (c *ReplayCache) bucketOf(t time.Time) int64 { return t.UnixNano() / int64(c.bucketLen()) }

// Seen reports whether e was accepted under auth within the window
// before now.
func (c *ReplayCache) Seen(auth, e [32]byte, now time.Time) bool {
	k := c.keys[auth]
	if k == nil {
		return false
	}
	c.prune(k, now)
	return k.has(e)
}

func (k *keyReplay) has(e [32]byte) bool {
	for _, b := range k.buckets {
		if _, ok := b[e]; ok {
			return true
		}
	}
	return false
}

// Add records e, from an introduction stamped ts, at time now; it refuses
// a stale or future ts, a replay, and a full cache.
func (c *ReplayCache) Add(auth, e [32]byte, ts, now time.Time) error {
	if ts.Before(now.Add(-c.window)) || ts.After(now.Add(c.skew)) {
		return fmt.Errorf("%w: stamped %v from now", ErrStale, ts.Sub(now).Round(time.Second))
	}
	k := c.keys[auth]
	if k == nil {
		k = &keyReplay{buckets: map[int64]map[[32]byte]struct{}{}}
		c.keys[auth] = k
	}
	c.prune(k, now)
	if k.has(e) {
		return ErrReplay
	}
	if k.n >= c.max {
		return ErrReplayCacheFull
	}
	b := c.bucketOf(ts)
	if k.buckets[b] == nil {
		k.buckets[b] = map[[32]byte]struct{}{}
	}
	k.buckets[b][e] = struct{}{}
	k.n++
	return nil
}

// prune drops buckets that end before now - window.
func (c *ReplayCache) prune(k *keyReplay, now time.Time) {
	oldest := c.bucketOf(now.Add(-c.window))
	for b, m := range k.buckets {
		if b < oldest {
			k.n -= len(m)
			delete(k.buckets, b)
		}
	}
}

// Forget drops everything held for auth, when its introduction point is
// retired.
func (c *ReplayCache) Forget(auth [32]byte) { delete(c.keys, auth) }

// Len returns the entries held for auth.
func (c *ReplayCache) Len(auth [32]byte) int {
	if k := c.keys[auth]; k != nil {
		return k.n
	}
	return 0
}
