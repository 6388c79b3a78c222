package hs

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"filippo.io/edwards25519"
)

// A name that is not plain ASCII is not an address, even when Unicode case
// folding maps it onto one: U+212A KELVIN SIGN lower-cases to 'k', so
// without the check two different names would open the same service.
func TestAddressNonASCIIRefused(t *testing.T) {
	for n := byte(1); n < 200; n++ {
		a := testIdentity(n).Public().Address()
		if !strings.Contains(a, "k") {
			continue
		}
		for _, s := range []string{strings.Replace(a, "k", "\u212a", 1), a[:len(a)-5] + ".mes\u0068\u0301"} {
			if _, err := ParseAddress(s); !errors.Is(err, ErrBadAddress) {
				t.Errorf("%q: %v", s, err)
			}
		}
		return
	}
	t.Fatal("no test address with a k")
}

// Keys of small order, with a torsion part, or in a non-canonical encoding
// are refused as Tor refuses them (rend-spec-v3 §6: the address's key must
// be a valid, prime-order point). With a small-order key the blinded key
// is the identity point, under which anyone can forge the descriptor.
func TestAddressWeakKeysRefused(t *testing.T) {
	small := []string{
		"0100000000000000000000000000000000000000000000000000000000000000", // identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
		"0000000000000000000000000000000000000000000000000000000000000000", // order 4
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
		"0100000000000000000000000000000000000000000000000000000000000080", // identity, x sign set
	}
	var keys []PublicKey
	for _, h := range small {
		b, _ := hex.DecodeString(h)
		keys = append(keys, PublicKey(b))
	}
	// A good key plus the order-2 point: same blinded key, other address.
	good := testIdentity(1).Public()
	A, _ := new(edwards25519.Point).SetBytes(good[:])
	T, _ := new(edwards25519.Point).SetBytes(keys[1][:])
	keys = append(keys, PublicKey(new(edwards25519.Point).Add(A, T).Bytes()))
	for i, k := range keys {
		if _, err := ParseAddress(k.Address()); !errors.Is(err, ErrBadKey) {
			t.Errorf("key %d (%x): %v", i, k, err)
		}
	}
	if _, err := ParseAddress(good.Address()); err != nil {
		t.Fatal(err)
	}
}
