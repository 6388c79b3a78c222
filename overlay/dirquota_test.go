package overlay

import (
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// dirStep is one event in a directory quota scenario: time passes, some
// held relays are reached, then a relay with seed, address and family
// tries to enter.
type dirStep struct {
	advance time.Duration
	reach   []byte // seeds of held relays this node reached first-hand
	seed    byte
	addr    string
	family  string
	err     error
	gone    []byte // seeds that must have been evicted by this step
}

// TestDirectoryQuotas: per-/16 (and IPv6 /32) and per-family quotas hold,
// and a full group or directory makes room by evicting the entry least
// likely to be a working relay (never reached past its probation) instead
// of refusing newcomers first come, first served. On the old directory
// every step past the first two of a group was admitted (or, when full,
// refused regardless of what was held).
func TestDirectoryQuotas(t *testing.T) {
	t.Parallel()
	policy := DirectoryPolicy{PerSubnet: 2, PerFamily: 2, MaxEntries: 4, PoWBits: testPoWBits}
	v4, v4b, v4c := "/ip4/10.1.0.1/tcp/1", "/ip4/10.1.200.9/tcp/1", "/ip4/10.2.0.1/tcp/1"
	cases := []struct {
		name  string
		steps []dirStep
	}{
		{"ipv4 /16 quota", []dirStep{
			{seed: 1, addr: v4}, {seed: 2, addr: v4b}, {seed: 3, addr: "/ip4/10.1.3.3/tcp/9", err: ErrQuota},
			{seed: 4, addr: v4c}}},
		{"ipv6 /32 quota", []dirStep{
			{seed: 1, addr: "/ip6/2001:db8:1::1/tcp/1"}, {seed: 2, addr: "/ip6/2001:db8:ffff::2/tcp/1"},
			{seed: 3, addr: "/ip6/2001:db8:77::3/udp/1/quic-v1", err: ErrQuota},
			{seed: 4, addr: "/ip6/2001:db9::1/tcp/1"}}},
		{"ipv4-mapped ipv6 counts as its ipv4 /16", []dirStep{
			{seed: 1, addr: v4}, {seed: 2, addr: v4b}, {seed: 3, addr: "/ip6/::ffff:10.1.9.9/tcp/1", err: ErrQuota}}},
		{"family quota across subnets", []dirStep{
			{seed: 1, addr: v4, family: "acme"}, {seed: 2, addr: v4c, family: "acme"},
			{seed: 3, addr: "/ip4/10.3.0.1/tcp/1", family: "acme", err: ErrQuota},
			{seed: 4, addr: "/ip4/10.3.0.1/tcp/1", family: "other"}}},
		{"newcomer evicts a relay never reached past probation", []dirStep{
			{seed: 1, addr: v4}, {seed: 2, addr: v4b},
			{advance: 2 * time.Hour, reach: []byte{1}, seed: 3, addr: "/ip4/10.1.3.3/tcp/9", gone: []byte{2}}}},
		{"reached relays keep their place", []dirStep{
			{seed: 1, addr: v4}, {seed: 2, addr: v4b},
			{advance: 2 * time.Hour, reach: []byte{1, 2}, seed: 3, addr: "/ip4/10.1.3.3/tcp/9", err: ErrQuota}}},
		{"probation protects newcomers from each other", []dirStep{
			{seed: 1, addr: v4}, {seed: 2, addr: v4b},
			{advance: 10 * time.Minute, seed: 3, addr: "/ip4/10.1.3.3/tcp/9", err: ErrQuota}}},
		{"a sybil flood that came first does not lock honest relays out", []dirStep{
			{seed: 11, addr: "/ip4/10.11.0.1/tcp/1"}, {advance: time.Minute, seed: 12, addr: "/ip4/10.12.0.1/tcp/1"},
			{advance: time.Minute, seed: 13, addr: "/ip4/10.13.0.1/tcp/1"},
			{advance: time.Minute, seed: 14, addr: "/ip4/10.14.0.1/tcp/1"},
			{seed: 5, addr: "/ip4/10.5.0.1/tcp/1", err: ErrDirectoryFull},
			{advance: 2 * time.Hour, seed: 5, addr: "/ip4/10.5.0.1/tcp/1", gone: []byte{11}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := testNow
			dir := NewDirectory(func() time.Time { return now })
			dir.SetPolicy(policy)
			for i, s := range tc.steps {
				now = now.Add(s.advance)
				for _, seed := range s.reach {
					dir.MarkReached(testPeer(t, seed))
				}
				_, raw := testDescriptor(t, s.seed, func(d *Descriptor) {
					d.Addrs, d.Family, d.Expiry = []ma.Multiaddr{ma.StringCast(s.addr)}, s.family, now.Add(40*time.Hour)
				})
				changed, err := dir.Add(raw, "")
				if !errors.Is(err, s.err) || changed != (s.err == nil) {
					t.Fatalf("step %d: Add = %v, %v; want %v", i, changed, err, s.err)
				}
				for _, seed := range s.gone {
					if _, ok := dir.Get(testPeer(t, seed)); ok {
						t.Fatalf("step %d: relay %d was not evicted", i, seed)
					}
				}
			}
		})
	}
}

func testPeer(t testing.TB, seed byte) peer.ID {
	d, _ := testDescriptor(t, seed, nil)
	return d.Peer
}
