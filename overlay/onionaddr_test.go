package overlay

import (
	"encoding/base32"
	"errors"
	"strings"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"
)

// testOnion is a well-formed /onion3 address derived from seed.
func testOnion(seed byte) ma.Multiaddr {
	id := make([]byte, 35)
	for i := range id {
		id[i] = seed + byte(i)
	}
	return ma.StringCast("/onion3/" + strings.ToLower(base32.StdEncoding.EncodeToString(id)) + ":4001")
}

// TestOnionAddrAdmission: a relay may list one bare /onion3 address beside
// an IP literal. The attacker mints onion addresses for free: a descriptor
// of onions alone (no location for the subnet rules), several onions, or
// an onion with trailing components is refused. On the old code the
// honest relay with an onion address was refused too.
func TestOnionAddrAdmission(t *testing.T) {
	t.Parallel()
	ip := ma.StringCast("/ip4/10.1.2.3/tcp/4001")
	cases := []struct {
		name  string
		addrs []ma.Multiaddr
		err   error
	}{
		{"ip and onion", []ma.Multiaddr{ip, testOnion(1)}, nil},
		{"onion only", []ma.Multiaddr{testOnion(1)}, ErrAddrNotIP},
		{"two onions", []ma.Multiaddr{ip, testOnion(1), testOnion(2)}, ErrAddrNotIP},
		{"onion with trailing p2p", []ma.Multiaddr{ip, testOnion(1).Encapsulate(ma.StringCast("/tcp/1"))}, ErrAddrNotIP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, raw := testDescriptor(t, 2, func(d *Descriptor) { d.Addrs = tc.addrs })
			dir := newTestDirectory(func() time.Time { return testNow })
			if _, err := dir.Add(raw, ""); !errors.Is(err, tc.err) {
				t.Fatalf("Add = %v, want %v", err, tc.err)
			}
		})
	}
}

// TestOnionAddrSubnetQuota: the attacker runs many relays in one /16 and
// gives each its own onion address, hoping each counts as a new network.
// The per-/16 quota still binds them, and two relays that differ only in
// their onions are still in one subnet for path rules; relays in
// different /16s may share a path even when they list onions (on the old
// code an onion made a relay conflict with everyone, or was refused).
func TestOnionAddrSubnetQuota(t *testing.T) {
	t.Parallel()
	dir := NewDirectory(func() time.Time { return testNow })
	dir.SetPolicy(DirectoryPolicy{PerSubnet: 2, PoWBits: testPoWBits})
	var descs []*Descriptor
	for seed := byte(1); seed <= 3; seed++ {
		d, raw := testDescriptor(t, seed, func(d *Descriptor) {
			d.Addrs = []ma.Multiaddr{ma.StringCast("/ip4/10.1.0." + string('0'+seed) + "/tcp/1"), testOnion(seed * 40)}
		})
		_, err := dir.Add(raw, "")
		if seed < 3 && err != nil {
			t.Fatalf("relay %d refused: %v", seed, err)
		}
		if seed == 3 && !errors.Is(err, ErrQuota) {
			t.Fatalf("third relay of the /16 behind its own onion: %v, want ErrQuota", err)
		}
		descs = append(descs, d)
	}
	if !sameSubnet(descs[0], descs[1], PathRules{}) {
		t.Fatal("relays of one /16 with different onions count as different subnets")
	}
	far, _ := testDescriptor(t, 9, func(d *Descriptor) {
		d.Addrs = []ma.Multiaddr{ma.StringCast("/ip4/10.9.0.1/tcp/1"), testOnion(7)}
	})
	if sameSubnet(descs[0], far, PathRules{}) {
		t.Fatal("relays in different /16s conflict because they list onion addresses")
	}
}
