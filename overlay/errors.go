package overlay

import "errors"

// Sentinel errors callers branch on. Each rejection reason for a relay
// descriptor has its own error so a directory can count and report them.
var (
	// ErrDescriptorTooLarge: the encoded descriptor exceeds MaxDescriptorSize.
	ErrDescriptorTooLarge = errors.New("overlay: descriptor too large")
	// ErrDescriptorMalformed: the bytes do not parse as a descriptor.
	ErrDescriptorMalformed = errors.New("overlay: malformed descriptor")
	// ErrBadSignature: the signature does not verify under the peer's identity key.
	ErrBadSignature = errors.New("overlay: descriptor signature invalid")
	// ErrWrongPeer: the descriptor names a different peer than its DHT key.
	ErrWrongPeer = errors.New("overlay: descriptor peer ID does not match key")
	// ErrExpired: the descriptor's expiry is in the past.
	ErrExpired = errors.New("overlay: descriptor expired")
	// ErrTooFarFuture: the descriptor claims a lifetime longer than MaxDescriptorLifetime.
	ErrTooFarFuture = errors.New("overlay: descriptor expiry too far in the future")
	// ErrStale: the descriptor's sequence number is not newer than the one held.
	ErrStale = errors.New("overlay: descriptor older than the one held (replayed seq)")
	// ErrBadKey: the DHT key is not of the form /relay/<peerID>.
	ErrBadKey = errors.New("overlay: bad descriptor key")

	// ErrNoPath: the directory holds too few suitable relays for the path asked for.
	ErrNoPath = errors.New("overlay: not enough suitable relays for a path")
)
