package hs

// Proof of work for INTRODUCE under load, after proposal 327 with Argon2id
// (RFC 9106, golang.org/x/crypto/argon2) in place of Equi-X: Equi-X has no
// Go module, and a small memory-hard hash is a dependency we already trust.
//
//	h = Argon2id(password = nonce 16,
//	             salt = powDomain ‖ blinded 32 ‖ INT_8(period) ‖ seed 32 ‖
//	                    authKey 32 ‖ e 32 ‖ INT_8(time),
//	             time = 1, memory = PoWMemoryKiB, threads = 1, 32 bytes)
//
// A solution at effort E is a nonce whose h starts with E zero bits: 2^E
// hashes expected to find, one to check. The salt binds it to this service
// and period, to the seed the service publishes (and rotates, so nobody
// stockpiles), to the introduction point's auth key and to the client's
// Noise ephemeral key e, so one solution serves exactly one handshake and
// the INTRODUCE replay cache (keyed by auth key and e) also stops a
// solution being spent twice. Without the auth key a client could send the
// same e and nonce to each introduction point, whose replay entries are
// separate, and spend one solution once per point. time is the INTRODUCE's
// (coarse) timestamp: the replay cache forgets e after its window, and a
// client holds e's secret, so without time it could wrap the same solution
// in a fresh INTRODUCE every window for as long as the seed lives.

import (
	"crypto/subtle"
	"encoding/binary"
	"io"
	"math/bits"

	"golang.org/x/crypto/argon2"
)

const (
	// PoWMemoryKiB is the Argon2id memory per hash: enough that a GPU's
	// parallelism is bounded by memory bandwidth, small enough that a check
	// costs the service well under a millisecond.
	PoWMemoryKiB = 64
	powDomain    = "cyclecash hs pow v1"
)

// PoWChallenge is what a solution is bound to.
type PoWChallenge struct {
	Blinded   BlindedKey
	Period    uint64
	Seed      [32]byte
	AuthKey   [32]byte // the introduction point's
	Ephemeral [32]byte
	Time      uint64 // the INTRODUCE's timestamp, Unix seconds
}

// PoWSolution is the proof an INTRODUCE carries.
type PoWSolution struct {
	Effort   uint8
	SeedHead [4]byte
	Nonce    [16]byte
}

func (c *PoWChallenge) salt() []byte {
	s := append([]byte(powDomain), c.Blinded[:]...)
	s = binary.BigEndian.AppendUint64(s, c.Period)
	s = append(s, c.Seed[:]...)
	s = append(s, c.AuthKey[:]...)
	s = append(s, c.Ephemeral[:]...)
	return binary.BigEndian.AppendUint64(s, c.Time)
}

func powHash(nonce, salt []byte) []byte {
	return argon2.IDKey(nonce, salt, 1, PoWMemoryKiB, 1, 32)
}

func leadingZeroBits(h []byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// Solve searches for a solution at effort, starting from a random nonce,
// trying at most maxTries hashes (0: no limit). It reports false when it
// gives up.
func (c PoWChallenge) Solve(effort uint8, rand io.Reader, maxTries int) (PoWSolution, bool) {
	s := PoWSolution{Effort: effort, SeedHead: [4]byte(c.Seed[:4])}
	if _, err := io.ReadFull(rand, s.Nonce[:]); err != nil {
		return s, false
	}
	salt := c.salt()
	for try := 0; maxTries == 0 || try < maxTries; try++ {
		if leadingZeroBits(powHash(s.Nonce[:], salt)) >= int(effort) {
			return s, true
		}
		incNonce(&s.Nonce)
	}
	return s, false
}

func incNonce(n *[16]byte) {
	for i := len(n) - 1; i >= 0; i-- {
		n[i]++
		if n[i] != 0 {
			return
		}
	}
}

// Verify checks s against c with one hash.
func (c PoWChallenge) Verify(s PoWSolution) bool {
	if s.Effort > MaxPoWEffort || subtle.ConstantTimeCompare(s.SeedHead[:], c.Seed[:4]) != 1 {
		return false
	}
	return leadingZeroBits(powHash(s.Nonce[:], c.salt())) >= int(s.Effort)
}
