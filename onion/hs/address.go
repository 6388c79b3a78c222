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
// accepted (DNS names are case-insensitive); subdomains are not. The checksum
// and the key's curve point are checked every time.
func ParseAddress(name string) (PublicKey, error) {
	var k PublicKey
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
	if _, err := new(edwards25519.Point).SetBytes(k[:]); err != nil {
		return PublicKey{}, ErrBadKey
	}
	return k, nil
}
