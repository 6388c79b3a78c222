package hs

// The introduction point's state, sans-IO and generic over the caller's
// circuit handle C: which service circuit answers for which auth key, and
// a token bucket per auth key (rend-spec-v3 §3.1.1.1's DoS extension, rate
// and burst chosen by the service in ESTABLISH_INTRO, capped by the relay).
// An intro point learns neither the service's identity nor its address.

import (
	"fmt"
	"time"
)

// IntroTable limits. Zero fields take the defaults.
type IntroLimits struct {
	Rate, Burst       uint32 // when the service asks for 0
	MaxRate, MaxBurst uint32 // caps on what a service may ask for
	MaxCircuits       int
}

func (l IntroLimits) withDefaults() IntroLimits {
	def := func(v, d uint32) uint32 {
		if v == 0 {
			return d
		}
		return v
	}
	l.Rate, l.Burst = def(l.Rate, 25), def(l.Burst, 200)
	l.MaxRate, l.MaxBurst = def(l.MaxRate, 1000), def(l.MaxBurst, 10000)
	if l.MaxCircuits <= 0 {
		l.MaxCircuits = 4096
	}
	return l
}

type introEntry[C comparable] struct {
	circ   C
	bucket tokenBucket
}

// IntroTable is an introduction point's map of auth keys to service
// circuits. Not safe for concurrent use.
type IntroTable[C comparable] struct {
	lim    IntroLimits
	byKey  map[[32]byte]*introEntry[C]
	byCirc map[C][32]byte
}

// NewIntroTable returns an empty table.
func NewIntroTable[C comparable](lim IntroLimits) *IntroTable[C] {
	return &IntroTable[C]{lim: lim.withDefaults(), byKey: map[[32]byte]*introEntry[C]{}, byCirc: map[C][32]byte{}}
}

// Establish handles an ESTABLISH_INTRO that arrived on circ (bind: that
// hop's circuit binding). A newer circuit for the same auth key replaces
// the old one (the service rebuilt it); the caller answers
// INTRO_ESTABLISHED on success and closes circ on error.
func (t *IntroTable[C]) Establish(msg, bind []byte, circ C, now time.Time) error {
	est, err := ParseEstablishIntro(msg, bind)
	if err != nil {
		return err
	}
	if _, used := t.byCirc[circ]; used {
		return ErrCircuitUsed
	}
	if old, ok := t.byKey[est.AuthKey]; ok {
		delete(t.byCirc, old.circ)
	} else if len(t.byKey) >= t.lim.MaxCircuits {
		return ErrTableFull
	}
	rate, burst := est.Rate, est.Burst
	if rate == 0 {
		rate, burst = t.lim.Rate, t.lim.Burst
	}
	rate, burst = min(rate, t.lim.MaxRate), min(max(burst, 1), t.lim.MaxBurst)
	t.byKey[est.AuthKey] = &introEntry[C]{circ: circ, bucket: newTokenBucket(rate, burst, now)}
	t.byCirc[circ] = est.AuthKey
	return nil
}

// Introduce1 routes an INTRODUCE1: the service circuit to send it on as
// INTRODUCE2 (the same bytes), and the INTRODUCE_ACK status for the client.
// Only when the status is AckOK is the circuit meaningful.
func (t *IntroTable[C]) Introduce1(msg []byte, now time.Time) (C, byte) {
	var zero C
	if len(msg) != Introduce1Size {
		return zero, AckBadFormat
	}
	e, ok := t.byKey[[32]byte(msg[:32])]
	if !ok {
		return zero, AckUnknownKey
	}
	if !e.bucket.take(now) {
		return zero, AckRateLimited
	}
	return e.circ, AckOK
}

// Remove forgets circ when it closes.
func (t *IntroTable[C]) Remove(circ C) {
	if k, ok := t.byCirc[circ]; ok {
		delete(t.byKey, k)
		delete(t.byCirc, circ)
	}
}

// Len returns the number of service circuits held.
func (t *IntroTable[C]) Len() int { return len(t.byKey) }

// IntroduceAck returns an INTRODUCE_ACK with status.
func IntroduceAck(status byte) []byte { return []byte{status} }

// ParseIntroduceAck parses INTRODUCE_ACK.
func ParseIntroduceAck(b []byte) (byte, error) {
	if len(b) != 1 {
		return 0, fmt.Errorf("%w: introduce ack of %d bytes", ErrMalformed, len(b))
	}
	return b[0], nil
}

// tokenBucket admits rate events per second with bursts of burst.
type tokenBucket struct {
	tokens, rate, burst float64
	last                time.Time
}

func newTokenBucket(rate, burst uint32, now time.Time) tokenBucket {
	return tokenBucket{tokens: float64(burst), rate: float64(rate), burst: float64(burst), last: now}
}

func (b *tokenBucket) take(now time.Time) bool {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
