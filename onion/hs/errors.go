package hs

import "errors"

// Sentinel errors. Callers branch on them with errors.Is; each message names
// the reason a peer's bytes were refused.
var (
	// ErrBadAddress: not a well-formed `<base32>.mesh` address.
	ErrBadAddress = errors.New("hs: malformed address")
	// ErrBadChecksum: the address's checksum does not match its key.
	ErrBadChecksum = errors.New("hs: address checksum mismatch")
	// ErrBadVersion: an address or message version this code does not speak.
	ErrBadVersion = errors.New("hs: unknown version")
	// ErrBadKey: a public key that is not a valid curve point.
	ErrBadKey = errors.New("hs: invalid public key")

	// ErrMalformed: a descriptor or message that does not parse.
	ErrMalformed = errors.New("hs: malformed message")
	// ErrTooLarge: a descriptor above MaxDescriptorSize.
	ErrTooLarge = errors.New("hs: descriptor too large")
	// ErrBadSignature: a descriptor not signed by its blinded key.
	ErrBadSignature = errors.New("hs: bad descriptor signature")
	// ErrWrongPeriod: a descriptor for another time period or period length,
	// or stored under an index that is not its own.
	ErrWrongPeriod = errors.New("hs: descriptor for the wrong period")
	// ErrExpired: a descriptor past its expiry.
	ErrExpired = errors.New("hs: descriptor expired")
	// ErrOldRevision: a descriptor whose revision does not exceed the one held.
	ErrOldRevision = errors.New("hs: descriptor revision not newer")
	// ErrDecrypt: the descriptor's encrypted part does not open with the key
	// derived from the address (wrong address, or tampered).
	ErrDecrypt = errors.New("hs: descriptor does not decrypt")

	// ErrIntroduceDecrypt: an INTRODUCE whose Noise message does not open.
	ErrIntroduceDecrypt = errors.New("hs: introduce does not decrypt")
	// ErrReplay: an INTRODUCE seen before.
	ErrReplay = errors.New("hs: introduce replayed")
	// ErrStale: an INTRODUCE whose timestamp is outside the accepted window.
	ErrStale = errors.New("hs: introduce too old or from the future")
	// ErrReplayCacheFull: the replay cache of an introduction key is full; the
	// service must rotate that introduction point.
	ErrReplayCacheFull = errors.New("hs: replay cache full")
	// ErrBadPoW: a proof of work that does not meet its claimed effort, or
	// names an unknown seed.
	ErrBadPoW = errors.New("hs: bad proof of work")
	// ErrQueueFull: the introduction queue is full of higher-effort requests.
	ErrQueueFull = errors.New("hs: introduction queue full")
	// ErrRendezvous: a RENDEZVOUS2 that does not complete the handshake.
	ErrRendezvous = errors.New("hs: rendezvous handshake failed")
	// ErrE2E: an end-to-end cell that does not authenticate (forged,
	// reordered, replayed or dropped by a relay); the circuit must close.
	ErrE2E = errors.New("hs: end-to-end cell does not authenticate")
)

// Errors of the relay-side tables (introtable.go, rendtable.go).
var (
	// ErrCookieInUse: an ESTABLISH_RENDEZVOUS for a cookie already waiting.
	ErrCookieInUse = errors.New("hs: rendezvous cookie already in use")
	// ErrUnknownCookie: a RENDEZVOUS1 for no waiting cookie (unknown,
	// expired, or already joined).
	ErrUnknownCookie = errors.New("hs: unknown rendezvous cookie")
	// ErrTableFull: the relay holds as many introduction or rendezvous
	// circuits as it allows.
	ErrTableFull = errors.New("hs: table full")
	// ErrCircuitUsed: a circuit asked to serve a second introduction key or
	// cookie; each circuit serves one.
	ErrCircuitUsed = errors.New("hs: circuit already serves a hidden-service role")
)
