package hs

// The rendezvous point's state, sans-IO and generic over the caller's
// circuit handle C: client circuits waiting under their cookie, each joined
// at most once to the service circuit whose RENDEZVOUS1 names the cookie.
// After the join the caller passes E2E cells between the two circuits
// unchanged; it cannot read them (e2e.go) and needs nothing more from here.

import "time"

// Rendezvous-table defaults.
const (
	DefaultRendezvousWait = 2 * time.Minute
	DefaultRendezvousMax  = 4096
)

type rendEntry[C comparable] struct {
	circ  C
	since time.Time
}

// RendezvousTable holds waiting client circuits. Not safe for concurrent
// use.
type RendezvousTable[C comparable] struct {
	wait     time.Duration
	max      int
	byCookie map[Cookie]rendEntry[C]
	byCirc   map[C]Cookie
	// order lists cookies as they were established, oldest first, so
	// Expire stops at the first one still waiting instead of scanning the
	// table on every cell. Joined or removed cookies leave stale items,
	// dropped when they reach the front or when order is compacted.
	order   []rendOrder
	scanned int // items Expire looked at, for tests
}

type rendOrder struct {
	c     Cookie
	since time.Time
}

// NewRendezvousTable returns an empty table; zero arguments take defaults.
func NewRendezvousTable[C comparable](wait time.Duration, max int) *RendezvousTable[C] {
	if wait <= 0 {
		wait = DefaultRendezvousWait
	}
	if max <= 0 {
		max = DefaultRendezvousMax
	}
	return &RendezvousTable[C]{wait: wait, max: max, byCookie: map[Cookie]rendEntry[C]{}, byCirc: map[C]Cookie{}}
}

// Establish handles ESTABLISH_RENDEZVOUS from the client circuit circ; the
// caller answers RENDEZVOUS_ESTABLISHED on success and closes circ on
// error. A cookie already waiting is refused, not replaced: whoever knows
// a client's cookie must not steal its rendezvous.
func (t *RendezvousTable[C]) Establish(msg []byte, circ C, now time.Time) error {
	c, err := ParseEstablishRendezvous(msg)
	if err != nil {
		return err
	}
	t.Expire(now)
	if _, used := t.byCirc[circ]; used {
		return ErrCircuitUsed
	}
	if _, taken := t.byCookie[c]; taken {
		return ErrCookieInUse
	}
	if len(t.byCookie) >= t.max {
		return ErrTableFull
	}
	t.byCookie[c] = rendEntry[C]{circ: circ, since: now}
	t.byCirc[circ] = c
	if len(t.order) >= 2*t.max {
		t.compact()
	}
	t.order = append(t.order, rendOrder{c, now})
	return nil
}

// compact drops the stale items of order, keeping its order.
func (t *RendezvousTable[C]) compact() {
	live := make([]rendOrder, 0, len(t.byCookie)+1)
	for _, o := range t.order {
		if e, ok := t.byCookie[o.c]; ok && e.since.Equal(o.since) {
			live = append(live, o)
		}
	}
	t.order = live
}

// Rendezvous1 handles a RENDEZVOUS1 from a service circuit: the client
// circuit to join it to and the RENDEZVOUS2 to send there. The cookie is
// consumed: a second RENDEZVOUS1 for it gets ErrUnknownCookie.
func (t *RendezvousTable[C]) Rendezvous1(msg []byte, now time.Time) (C, []byte, error) {
	var zero C
	c, r2, err := ParseRendezvous1(msg)
	if err != nil {
		return zero, nil, err
	}
	t.Expire(now)
	e, ok := t.byCookie[c]
	if !ok {
		return zero, nil, ErrUnknownCookie
	}
	delete(t.byCookie, c)
	delete(t.byCirc, e.circ)
	return e.circ, r2, nil
}

// Remove forgets circ when it closes.
func (t *RendezvousTable[C]) Remove(circ C) {
	if c, ok := t.byCirc[circ]; ok {
		delete(t.byCookie, c)
		delete(t.byCirc, circ)
	}
}

// Expire drops cookies waiting longer than the table's wait; the caller
// closes circuits it no longer finds (Waiting). The work is that of the
// cookies dropped: now is taken not to go back (a cookie established under
// a clock that went back waits until those before it expire).
func (t *RendezvousTable[C]) Expire(now time.Time) {
	for len(t.order) > 0 && now.Sub(t.order[0].since) > t.wait {
		o := t.order[0]
		t.order = t.order[1:]
		t.scanned++
		if e, ok := t.byCookie[o.c]; ok && e.since.Equal(o.since) {
			delete(t.byCookie, o.c)
			delete(t.byCirc, e.circ)
		}
	}
}

// Waiting reports whether circ still waits for a service.
func (t *RendezvousTable[C]) Waiting(circ C) bool {
	_, ok := t.byCirc[circ]
	return ok
}
