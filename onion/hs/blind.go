package hs

// Ed25519 key blinding, rend-spec-v3 Appendix A.2, with Tor's exact
// arithmetic (checked against Tor's src/test/ed25519_vectors.inc):
//
//	h  = clamp(SHA-512("Derive temporary signing key" ‖ param)[:32])
//	     (clamp: bits 0–2 and 255 cleared, bit 254 set; Tor's ed25519
//	     "gettweak", which hashes the rend-spec param once more)
//	A' = h·A
//	a' = h·a mod ℓ
//	RH'= SHA-512("Derive temporary signing key hash input" ‖ RH)[:32]
//
// where (a, RH) is the SHA-512 expansion of the identity seed. Only the
// derivation of param uses our own domain string instead of Tor's, so a key
// used for both a Tor onion service and a mesh service still gets unrelated
// blinded keys on the two networks:
//
//	param = SHA3-256(blindDomain ‖ A ‖ basepointString ‖ "key-blind" ‖
//	                 INT_8(period number) ‖ INT_8(period length in seconds))
//
// A blinded public key reveals nothing about A without the period's param,
// and param needs A: a directory that stores the descriptor cannot link the
// service's periods nor name the service.

import (
	"crypto/ed25519"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/binary"
	"io"

	"filippo.io/edwards25519"
)

const (
	tweakDomain     = "Derive temporary signing key"
	blindDomain     = "cyclecash mesh derive temporary signing key v1"
	blindHashInput  = "Derive temporary signing key hash input"
	basepointString = "(15112221349535400772501151409588531511454012693041857206046113283949847762202, 46316835694926478169428394003475163141307993866256225615783033603165251855960)"
)

// IdentityKey is a service's long-term Ed25519 key. It never signs anything
// on the network; it only derives per-period blinded keys.
type IdentityKey struct{ seed [ed25519.SeedSize]byte }

// NewIdentityKey draws a fresh identity key from rand.
func NewIdentityKey(rand io.Reader) (*IdentityKey, error) {
	k := new(IdentityKey)
	if _, err := io.ReadFull(rand, k.seed[:]); err != nil {
		return nil, err
	}
	return k, nil
}

// IdentityKeyFromSeed returns the identity key of a 32-byte Ed25519 seed.
func IdentityKeyFromSeed(seed [ed25519.SeedSize]byte) *IdentityKey {
	return &IdentityKey{seed: seed}
}

// Seed returns the key's secret seed, for storage.
func (k *IdentityKey) Seed() [ed25519.SeedSize]byte { return k.seed }

// Public returns the identity public key.
func (k *IdentityKey) Public() PublicKey {
	pub := ed25519.NewKeyFromSeed(k.seed[:]).Public().(ed25519.PublicKey)
	return PublicKey(pub)
}

// expand returns the clamped secret scalar a and the nonce prefix RH.
func (k *IdentityKey) expand() (*edwards25519.Scalar, [32]byte) {
	h := sha512.Sum512(k.seed[:])
	a, err := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
	if err != nil {
		panic(err) // 32 bytes never fail
	}
	return a, [32]byte(h[32:])
}

// BlindedKey is a per-period blinded public key: it verifies descriptors
// and names their DHT indices.
type BlindedKey [32]byte

// BlindedSigner holds a period's blinded secret key.
type BlindedSigner struct {
	a      *edwards25519.Scalar
	prefix [32]byte
	pub    BlindedKey
}

// blindParam derives the blinding parameter of (pub, period).
func blindParam(pub PublicKey, p Period) [32]byte {
	h := sha3.New256()
	h.Write([]byte(blindDomain))
	h.Write(pub[:])
	h.Write([]byte(basepointString))
	h.Write([]byte("key-blind"))
	h.Write(binary.BigEndian.AppendUint64(nil, p.Num))
	h.Write(binary.BigEndian.AppendUint64(nil, p.seconds()))
	return [32]byte(h.Sum(nil))
}

// tweak returns h, the clamped blinding factor of param.
func tweak(param [32]byte) *edwards25519.Scalar {
	sum := sha512.Sum512(append([]byte(tweakDomain), param[:]...))
	s, err := edwards25519.NewScalar().SetBytesWithClamping(sum[:32])
	if err != nil {
		panic(err)
	}
	return s
}

// Blind returns the blinded signer of period p.
func (k *IdentityKey) Blind(p Period) *BlindedSigner {
	a, rh := k.expand()
	return blindSecret(a, rh, blindParam(k.Public(), p))
}

func blindSecret(a *edwards25519.Scalar, rh [32]byte, param [32]byte) *BlindedSigner {
	s := &BlindedSigner{a: edwards25519.NewScalar().Multiply(a, tweak(param))}
	sum := sha512.Sum512(append([]byte(blindHashInput), rh[:]...))
	copy(s.prefix[:], sum[:32])
	s.pub = BlindedKey(new(edwards25519.Point).ScalarBaseMult(s.a).Bytes())
	return s
}

// Blind returns the blinded public key of k for period p: what a client that
// knows the address computes to find and check the descriptor.
func (k PublicKey) Blind(p Period) (BlindedKey, error) {
	return blindPublic(k, blindParam(k, p))
}

func blindPublic(k PublicKey, param [32]byte) (BlindedKey, error) {
	A, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil {
		return BlindedKey{}, ErrBadKey
	}
	return BlindedKey(new(edwards25519.Point).ScalarMult(tweak(param), A).Bytes()), nil
}

// Public returns the blinded public key.
func (s *BlindedSigner) Public() BlindedKey { return s.pub }

// Sign makes an Ed25519 signature (RFC 8032 §5.1.6) with the blinded
// expanded key (a', RH'); crypto/ed25519.Verify accepts it under Public.
func (s *BlindedSigner) Sign(msg []byte) []byte {
	h := sha512.New()
	h.Write(s.prefix[:])
	h.Write(msg)
	r, _ := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
	h.Reset()
	h.Write(R)
	h.Write(s.pub[:])
	h.Write(msg)
	k, _ := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	S := edwards25519.NewScalar().MultiplyAdd(k, s.a, r)
	return append(R, S.Bytes()...)
}

// Verify reports whether sig is b's signature of msg.
func (b BlindedKey) Verify(msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(b[:], msg, sig)
}
