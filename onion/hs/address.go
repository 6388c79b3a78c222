package hs

// Addresses after rend-spec-v3 §6 ("Encoding onion addresses"), with our own
// suffix and checksum domain so a Tor onion key cannot be confused with a
// mesh one:
//
//	address  = base32(pubkey 32 ‖ checksum 2 ‖ version 1) + ".mesh"
//	checksum = SHA3-256(".mesh checksum" ‖ pubkey ‖ version)[:2]
//
// Base32 is RFC 4648 lower case without padding: 35 bytes give 56 letters.

import (
	"crypto/ed25519"
	"crypto/sha3"
	"encoding/base32"
	"fmt"
	"strings"

	"filippo.io/edwards25519"
)

const (
	// Suffix ends every hidden-service name.
	Suffix = ".mesh"
	// AddressVersion is the version byte of the addresses this code makes.
	AddressVersion = 1
	// AddressLen is the length of an address including the suffix.
	AddressLen = 56 + len(Suffix)

	checksumDomain = ".mesh checksum"
	addrBytes      = ed25519.PublicKeySize + 2 + 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// PublicKey is a service's Ed25519 identity public key: what its address
// encodes and what a client must know to find and read its descriptor.
type PublicKey [ed25519.PublicKeySize]byte

// Address returns the `.mesh` name of k.
func (k PublicKey) Address() string {
	var raw [addrBytes]byte
	copy(raw[:], k[:])
	sum := addressChecksum(k, AddressVersion)
	raw[32], raw[33], raw[34] = sum[0], sum[1], AddressVersion
	return strings.ToLower(b32.EncodeToString(raw[:])) + Suffix
}

func addressChecksum(k PublicKey, version byte) [2]byte {
	h := sha3.New256()
	h.Write([]byte(checksumDomain))
	h.Write(k[:])
	h.Write([]byte{version})
	var sum [2]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// ParseAddress returns the identity key a `.mesh` name encodes. Upper case is
// accepted (DNS names are case-insensitive); subdomains and non-ASCII bytes
// are not (Unicode case folding maps U+212A KELVIN SIGN to 'k', which would
// give one service several names). The checksum and the key's curve point
// are checked every time.
func ParseAddress(name string) (PublicKey, error) {
	var k PublicKey
	if !isASCII(name) {
		return k, ErrBadAddress
	}
	name = strings.ToLower(name)
	label, ok := strings.CutSuffix(name, Suffix)
	if !ok || len(label) != AddressLen-len(Suffix) {
		return k, ErrBadAddress
	}
	raw, err := b32.DecodeString(strings.ToUpper(label))
	if err != nil || len(raw) != addrBytes {
		return k, ErrBadAddress
	}
	copy(k[:], raw[:32])
	if raw[34] != AddressVersion {
		return k, fmt.Errorf("%w: address version %d", ErrBadVersion, raw[34])
	}
	if sum := addressChecksum(k, raw[34]); sum[0] != raw[32] || sum[1] != raw[33] {
		return PublicKey{}, ErrBadChecksum
	}
	if !primeOrder(k) {
		return PublicKey{}, ErrBadKey
	}
	return k, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lMinus1 is ℓ-1, ℓ the order of the Ed25519 prime-order subgroup.
var lMinus1, _ = edwards25519.NewScalar().SetCanonicalBytes([]byte{
	0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10})

// primeOrder reports whether k canonically encodes a point of order ℓ, as
// Tor requires of an onion address's key: a small-order key blinds to the
// identity point, under which anyone can sign, and a key with a torsion
// part blinds to the same key as its prime-order part (the clamped blinding
// factor is a multiple of 8), so one descriptor would answer two addresses.
func primeOrder(k PublicKey) bool {
	A, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil || [32]byte(A.Bytes()) != k || A.Equal(edwards25519.NewIdentityPoint()) == 1 {
		return false
	}
	lA := new(edwards25519.Point).ScalarMult(lMinus1, A)
	return lA.Add(lA, A).Equal(edwards25519.NewIdentityPoint()) == 1
}
