package overlay

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// TestLinkOutsideListedNetworksRefused: a relay whose descriptor lists an
// address in another network (192.0.2.0/24, TEST-NET-1) than the one it is
// reached at (127.0.0.1, which libp2p learnt otherwise, as identify or the
// DHT would teach it) gets no link: the subnet rule saw the listed
// address, so a link over any other would let two relays of one operator
// share a path. The same relay with its true address gets its link.
func TestLinkOutsideListedNetworksRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	t.Parallel()
	client := startNetNodeRules(t, nil, 0, PathRules{}) // loopback is one /16 here, as a real network's addresses are
	relay := startNetNode(t, nil, RoleRelay)

	lying := *relay.desc
	lying.Addrs = []ma.Multiaddr{ma.StringCast("/ip4/192.0.2.7/tcp/4001")}
	lying.Seq++
	if err := lying.SignPoW(relay.ov.cfg.Identity, testPoWBits); err != nil {
		t.Fatal(err)
	}
	raw, err := lying.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ov.dir.Add(raw, relay.ov.ID()); err != nil {
		t.Fatal(err)
	}
	client.ov.host.Peerstore().AddAddrs(relay.ov.ID(), relay.desc.Addrs, peerstore.TempAddrTTL) // learnt outside the descriptor
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := client.o.linkTo(ctx, relay.ov.ID()); !errors.Is(err, ErrHopUnreachable) {
		t.Fatalf("link to a relay reached outside its listed networks: %v, want ErrHopUnreachable", err)
	}
	if n := len(client.o.Links()); n != 0 {
		t.Fatalf("%d links kept", n)
	}

	honest := *relay.desc
	honest.Seq = lying.Seq + 1
	if err := honest.SignPoW(relay.ov.cfg.Identity, testPoWBits); err != nil {
		t.Fatal(err)
	}
	if raw, err = honest.Marshal(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ov.dir.Add(raw, relay.ov.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := client.o.linkTo(ctx, relay.ov.ID()); err != nil {
		t.Fatalf("link to the relay at its listed address: %v", err)
	}
}
