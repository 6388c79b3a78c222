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
	// ErrDirectoryFull: the directory holds its maximum of peers and the
	// newcomer ranks below every entry (eviction prefers old, reached
	// relays), so a Sybil flood neither grows memory nor locks honest
	// relays out.
	ErrDirectoryFull = errors.New("overlay: directory full")
	// ErrInsufficientWork: the descriptor's proof of work is below the
	// network's difficulty.
	ErrInsufficientWork = errors.New("overlay: descriptor proof of work insufficient")
	// ErrAddrNotIP: an address of the descriptor is not an IP literal
	// (/dns4 and the like), so subnet rules could not apply to it.
	ErrAddrNotIP = errors.New("overlay: descriptor address is not an IP literal")
	// ErrQuota: the directory holds its quota of relays of this /16 or
	// family, and the newcomer is not better than any of them.
	ErrQuota = errors.New("overlay: directory quota for this subnet or family reached")
	// ErrBadKey: the DHT key is not of the form /relay/<peerID>.
	ErrBadKey = errors.New("overlay: bad descriptor key")

	// ErrClientOnly: the operation needs the DHT, which client-only nodes do not run.
	ErrClientOnly = errors.New("overlay: not available on a client-only node")

	// ErrNoGuard: no entry guard is usable; no circuit is built without
	// one. Callers retry with backoff (the directory or the network may
	// recover); they never fall back to a random first hop.
	ErrNoGuard = errors.New("overlay: no usable entry guard")

	// ErrNoPath: the directory holds too few suitable relays for the path asked for.
	ErrNoPath = errors.New("overlay: not enough suitable relays for a path")
)

// Sentinel errors of the onion link, circuit and stream layer. None of them
// names a peer or an address; callers branch on them with errors.Is.
var (
	// ErrBuildTimeout: a circuit was not built within the learned build timeout.
	ErrBuildTimeout = errors.New("overlay: circuit build timed out")
	// ErrHopUnreachable: a relay on the chosen path could not be reached.
	ErrHopUnreachable = errors.New("overlay: a relay on the path is unreachable")
	// ErrCircuitBroken: the circuit under a stream went away (a relay or link
	// died, or the circuit was destroyed). Bytes written but not yet echoed
	// by the service may be lost: the caller must retry on a new circuit.
	ErrCircuitBroken = errors.New("overlay: circuit broken; retry on a new circuit")
	// ErrServiceRefused: the destination does not serve the named service.
	ErrServiceRefused = errors.New("overlay: service refused at the destination")
	// ErrStreamClosed: the stream was closed by this side.
	ErrStreamClosed = errors.New("overlay: stream closed")
	// ErrReceiveOverflow: a stream's receive buffer passed MaxStreamBuffer,
	// which only a peer ignoring the stream window can cause; the stream
	// was reset.
	ErrReceiveOverflow = errors.New("overlay: stream receive buffer overflow")
	// ErrTooManyCircuits: this node already holds its client circuit quota.
	ErrTooManyCircuits = errors.New("overlay: too many client circuits")
	// ErrOnionClosed: the onion service of this node has shut down.
	ErrOnionClosed = errors.New("overlay: onion service closed")
)
