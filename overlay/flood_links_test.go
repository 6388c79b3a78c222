package overlay

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// TestLinksPerNeighbour: attacker = a neighbour opening link after link to
// multiply its per-link circuit quota (about 65 streams bought 33k
// circuits). The relay keeps two links per neighbour (both sides may dial
// at once) and resets the rest; the old relay accepted every one.
func TestLinksPerNeighbour(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	relay := floodNode(t, RoleRelay, RelayLimits{})
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	h, err := New(Config{Identity: id, Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}, PoWBits: testPoWBits})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h.Host().Peerstore().AddAddrs(relay.ov.ID(), relay.ov.Addrs(), peerstore.TempAddrTTL)
	for range 5 {
		s, err := h.Host().NewStream(ctx, relay.ov.ID(), OnionProtocol)
		if err != nil {
			t.Fatal(err)
		}
		pad := make([]byte, onion.CellSize) // circuit 0: link padding; opens the stream at the relay
		if _, err := s.Write(pad); err != nil {
			t.Fatal(err)
		}
	}
	for relay.o.DefenceCounters().LinksRefused < 3 {
		select {
		case <-ctx.Done():
			t.Fatalf("links refused: %d, want 3 of 5", relay.o.DefenceCounters().LinksRefused)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if n := len(relay.o.Links()); n != maxLinksPerPeer {
		t.Fatalf("relay holds %d links with one neighbour, want %d", n, maxLinksPerPeer)
	}
}
