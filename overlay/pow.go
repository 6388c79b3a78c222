package overlay

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Proof of work per relay identity: a descriptor carries a nonce such that
// SHA-256(powContext ‖ peer ID ‖ nonce) starts with PoWBits zero bits. The
// work is bound to the identity key (the peer ID embeds it), not to one
// descriptor, so an honest relay pays once per identity and re-publishes for
// free, while a Sybil pays for every identity it floods the directory with.
// The difficulty is a network parameter (Config.PoWBits,
// DirectoryPolicy.PoWBits, Validator.PoWBits); every node of one network
// must use the same value.
const (
	// DefaultPoWBits costs about 2^16 hashes (tens of milliseconds) per
	// identity. Public networks should raise it; each extra bit doubles the
	// price of an identity.
	DefaultPoWBits = 16
	// MaxPoWBits bounds what a configuration may ask for.
	MaxPoWBits = 40
	powContext = "cyclecash identity pow v1\x00"
)

// powSolved memoizes solved nonces per peer ID and difficulty: a node signs
// a new descriptor every few hours with the same identity.
var powSolved sync.Map // powKey -> uint64

type powKey struct {
	p    peer.ID
	bits uint8
}

// powZeros counts the leading zero bits of the identity's hash with nonce.
func powZeros(p peer.ID, nonce uint64) int {
	h := sha256.New()
	h.Write([]byte(powContext))
	h.Write([]byte(p))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], nonce)
	h.Write(n[:])
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	z := 0
	for _, b := range sum {
		if b != 0 {
			return z + bits.LeadingZeros8(b)
		}
		z += 8
	}
	return z
}

// SolvePoW finds the smallest nonce that meets difficulty bits for p.
func SolvePoW(p peer.ID, difficulty uint8) uint64 {
	k := powKey{p, difficulty}
	if v, ok := powSolved.Load(k); ok {
		return v.(uint64)
	}
	var nonce uint64
	for powZeros(p, nonce) < int(difficulty) {
		nonce++
	}
	powSolved.Store(k, nonce)
	return nonce
}

// CheckPoW reports whether d's nonce meets difficulty bits.
func CheckPoW(d *Descriptor, difficulty uint8) error {
	if powZeros(d.Peer, d.PoW) < int(difficulty) {
		return fmt.Errorf("%w (need %d bits)", ErrInsufficientWork, difficulty)
	}
	return nil
}

// powBits maps a configured difficulty to the one used: 0 = DefaultPoWBits.
func powBits(configured uint8) uint8 {
	if configured == 0 {
		return DefaultPoWBits
	}
	return configured
}
