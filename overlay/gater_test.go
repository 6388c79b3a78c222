package overlay

import (
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestConfinedGater: a confined (stealth) client dials its bootstrap peers
// only while it has no usable guard, then its guards alone, and never a
// node its directory lists as a gateway or market, even one it was given
// as bootstrap peer or guard. Today's gater kept the bootstrap peers
// allowed forever and let a relaying gateway be dialled as a guard.
func TestConfinedGater(t *testing.T) {
	t.Parallel()
	gwDesc, gwRaw := testDescriptor(t, 41, func(d *Descriptor) { d.Roles = RoleRelay | RoleGateway })
	mkDesc, mkRaw := testDescriptor(t, 42, func(d *Descriptor) { d.Roles = RoleMarket })
	boot, guard := testPeer(t, 43), testPeer(t, 44)
	ov, err := New(Config{Identity: testKey(t, 40), ClientOnly: true, PoWBits: testPoWBits, Now: func() time.Time { return testNow },
		Bootstrap: []peer.AddrInfo{{ID: boot}, {ID: gwDesc.Peer}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ov.Close()
	for _, raw := range [][]byte{gwRaw, mkRaw} {
		if _, err := ov.Directory().Add(raw, ""); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name   string
		guards []peer.ID
		want   map[peer.ID]bool
	}{
		{"no guards yet", nil, map[peer.ID]bool{boot: true, gwDesc.Peer: false, guard: false}},
		{"guards known", []peer.ID{guard, gwDesc.Peer, mkDesc.Peer},
			map[peer.ID]bool{boot: false, guard: true, gwDesc.Peer: false, mkDesc.Peer: false}},
		{"no guard usable again", []peer.ID{}, map[peer.ID]bool{boot: true, guard: false}},
	}
	for _, s := range steps {
		if s.guards != nil {
			ov.SetGuards(s.guards)
		}
		for p, want := range s.want {
			if got := ov.gater.InterceptPeerDial(p); got != want {
				t.Errorf("%s: dial %s allowed = %v, want %v", s.name, p.ShortString(), got, want)
			}
		}
	}
}
