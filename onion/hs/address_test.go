package hs

import (
	"errors"
	"strings"
	"testing"
)

func TestAddressRoundTrip(t *testing.T) {
	pub := testIdentity(1).Public()
	a := pub.Address()
	if len(a) != AddressLen || !strings.HasSuffix(a, ".mesh") || a != strings.ToLower(a) {
		t.Fatalf("address %q", a)
	}
	for _, s := range []string{a, strings.ToUpper(a)} {
		got, err := ParseAddress(s)
		if err != nil || got != pub {
			t.Fatalf("parse %q: %v", s, err)
		}
	}
}

// A typo, or an attacker's look-alike name, must never reach the directory:
// every single-letter change to the key part fails the checksum.
func TestAddressBadChecksumRefused(t *testing.T) {
	a := testIdentity(1).Public().Address()
	bad := 0
	for i := range 52 { // the letters carrying the key; the last 4 carry checksum and version
		c := byte('a')
		if a[i] == 'a' {
			c = 'b'
		}
		s := a[:i] + string(c) + a[i+1:]
		_, err := ParseAddress(s)
		switch {
		case errors.Is(err, ErrBadChecksum), errors.Is(err, ErrBadKey):
			bad++
		default:
			t.Fatalf("changed letter %d: %v", i, err)
		}
	}
	if bad != 52 {
		t.Fatal("not every change refused")
	}
}

func TestAddressMalformedRefused(t *testing.T) {
	a := testIdentity(1).Public().Address()
	for _, s := range []string{"", "x.mesh", a[:len(a)-5] + ".onion", "www." + a, a[1:], a + "a", strings.Replace(a, a[:1], "1", 1)} {
		if _, err := ParseAddress(s); !errors.Is(err, ErrBadAddress) {
			t.Errorf("%q: %v", s, err)
		}
	}
	// The version byte is the last 5 bits of the 56th letter and the bits
	// before it: change the final letter to get another version.
	v := a[:55] + "b" + Suffix
	if a[55] == 'b' {
		v = a[:55] + "c" + Suffix
	}
	if _, err := ParseAddress(v); !errors.Is(err, ErrBadVersion) {
		t.Errorf("other version: %v", err)
	}
}
