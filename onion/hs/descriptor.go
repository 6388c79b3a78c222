package hs

// The descriptor's encrypted part (its plaintext), padded to InnerSize so its
// length tells a directory nothing about the number of introduction points:
//
//	nIntro     1   1..MaxIntroPoints
//	nIntro × {
//	  relayLen 1   1..MaxRelayID
//	  relay    relayLen   the introduction relay's peer ID bytes
//	  authKey  32  Ed25519 auth key of this introduction (ESTABLISH_INTRO)
//	  nkKey    32  the service's X25519 Noise NK static key for INTRODUCE
//	}
//	powEffort  1   suggested proof-of-work effort (leading zero bits)
//	powSeed    32  the seed proofs of work must be bound to
//	zero padding up to InnerSize (a non-zero pad byte is refused)

import (
	"bytes"
	"fmt"
	"time"
)

const (
	// DefaultIntroPoints is how many introduction points a service keeps.
	DefaultIntroPoints = 3
	// MaxIntroPoints bounds the introduction points of one descriptor.
	MaxIntroPoints = 10
	// MaxRelayID bounds a relay's peer ID bytes (an Ed25519 libp2p peer ID
	// is 38 bytes).
	MaxRelayID = 64
	// MaxPoWEffort bounds efforts: beyond it no client could solve in time.
	MaxPoWEffort = 32

	introEntryMax = 1 + MaxRelayID + 32 + 32
	// InnerSize is the padded length of a descriptor's plaintext.
	InnerSize = 1 + MaxIntroPoints*introEntryMax + 1 + 32
)

// IntroPoint is one introduction point as a descriptor lists it.
type IntroPoint struct {
	Relay   []byte   // the relay's peer ID bytes
	AuthKey [32]byte // Ed25519 public auth key naming the service's circuit there
	NKKey   [32]byte // X25519 public key INTRODUCE handshakes are made to
}

// Descriptor is a hidden service's descriptor for one period. Blinded,
// Period, Revision and Expiry travel in clear (signed); the rest encrypted.
type Descriptor struct {
	Blinded   BlindedKey
	Period    Period
	Revision  uint64
	Expiry    time.Time // whole seconds
	Intro     []IntroPoint
	PoWEffort uint8
	PoWSeed   [32]byte
}

func (d *Descriptor) appendInner(b []byte) ([]byte, error) {
	if len(d.Intro) == 0 || len(d.Intro) > MaxIntroPoints {
		return nil, fmt.Errorf("%w: %d introduction points", ErrMalformed, len(d.Intro))
	}
	if d.PoWEffort > MaxPoWEffort {
		return nil, fmt.Errorf("%w: effort %d", ErrMalformed, d.PoWEffort)
	}
	start := len(b)
	b = append(b, byte(len(d.Intro)))
	for _, ip := range d.Intro {
		if len(ip.Relay) == 0 || len(ip.Relay) > MaxRelayID {
			return nil, fmt.Errorf("%w: relay id of %d bytes", ErrMalformed, len(ip.Relay))
		}
		b = append(b, byte(len(ip.Relay)))
		b = append(b, ip.Relay...)
		b = append(b, ip.AuthKey[:]...)
		b = append(b, ip.NKKey[:]...)
	}
	b = append(b, d.PoWEffort)
	b = append(b, d.PoWSeed[:]...)
	return append(b, make([]byte, InnerSize-(len(b)-start))...), nil
}

// parseInner fills d's encrypted fields from a decrypted plaintext.
func (d *Descriptor) parseInner(p []byte) error {
	if len(p) != InnerSize {
		return fmt.Errorf("%w: plaintext of %d bytes", ErrMalformed, len(p))
	}
	r := reader{b: p}
	n := int(r.byte())
	if n == 0 || n > MaxIntroPoints {
		return fmt.Errorf("%w: %d introduction points", ErrMalformed, n)
	}
	d.Intro = make([]IntroPoint, n)
	for i := range d.Intro {
		l := int(r.byte())
		if l == 0 || l > MaxRelayID {
			return fmt.Errorf("%w: relay id of %d bytes", ErrMalformed, l)
		}
		d.Intro[i].Relay = bytes.Clone(r.take(l))
		r.copy(d.Intro[i].AuthKey[:])
		r.copy(d.Intro[i].NKKey[:])
	}
	d.PoWEffort = r.byte()
	r.copy(d.PoWSeed[:])
	if r.short || d.PoWEffort > MaxPoWEffort || !allZero(r.rest()) {
		return fmt.Errorf("%w: bad inner layout", ErrMalformed)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
