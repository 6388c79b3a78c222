package testnet

import (
	"bytes"
	"context"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// acceptAll lets the attacker's own DHT send records our validator refuses.
type acceptAll struct{}

func (acceptAll) Validate(string, []byte) error        { return nil }
func (acceptAll) Select(string, [][]byte) (int, error) { return 0, nil }

// attacker is a raw libp2p DHT peer that speaks the cyclecash DHT protocol
// but signs and stores whatever it likes.
type attacker struct {
	key crypto.PrivKey
	id  peer.ID
	kad *dht.IpfsDHT
}

func newAttacker(t *testing.T, ctx context.Context, boot *node.Node) *attacker {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := libp2p.New(libp2p.Identity(key), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.DisableMetrics(), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	kad, err := dht.New(h, dht.Mode(dht.ModeServer), dht.ProtocolPrefix(overlay.DHTPrefix),
		dht.Validator(record.NamespacedValidator{overlay.DescriptorNamespace: acceptAll{}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kad.Close() })
	ai, _ := peer.AddrInfoFromString(boot.P2PAddrs()[0])
	if err := h.Connect(ctx, *ai); err != nil {
		t.Fatal(err)
	}
	for kad.RoutingTable().Size() == 0 {
		if ctx.Err() != nil {
			t.Fatal("attacker never joined the routing table")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := <-kad.RefreshRoutingTable(); err != nil {
		t.Fatal(err)
	}
	return &attacker{key: key, id: h.ID(), kad: kad}
}

// descriptor signs a descriptor of the attacker's own identity.
func (a *attacker) descriptor(t *testing.T, seq uint64, expiry time.Time) []byte {
	t.Helper()
	d := &overlay.Descriptor{Seq: seq, Expiry: expiry, Roles: overlay.RoleRelay,
		Addrs: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/9")}}
	if err := d.Sign(a.key); err != nil {
		t.Fatal(err)
	}
	raw, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestDirectoryRefusesBadDescriptors: an attacker inside the DHT stores a
// forged, a misattributed, an expired, an oversized and a replayed older
// descriptor. No node stores or serves any of them, the honest directory
// keeps working, and the genuine descriptor stays the one served.
func TestDirectoryRefusesBadDescriptors(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	t.Parallel()
	net, err := Start(t.TempDir(), Options{N: 6})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, 5); err != nil {
		t.Fatal(err)
	}
	bad := newAttacker(t, ctx, net.Nodes[0])
	now := time.Now()
	good := bad.descriptor(t, 10, now.Add(time.Hour))
	if err := bad.kad.PutValue(ctx, overlay.DescriptorKey(bad.id), good); err != nil {
		t.Fatalf("storing the attacker's genuine descriptor: %v", err)
	}
	victim := net.Nodes[2].ID()
	forged := bytes.Clone(good)
	forged[len(forged)-3] ^= 1
	cases := []struct {
		name string
		key  peer.ID
		raw  []byte
	}{
		{"forged signature", bad.id, forged},
		{"someone else's key", victim, good},
		{"expired", bad.id, bad.descriptor(t, 11, now.Add(-time.Minute))},
		{"oversized", bad.id, append(bad.descriptor(t, 12, now.Add(time.Hour)), make([]byte, overlay.MaxDescriptorSize)...)},
		{"replayed older seq", bad.id, bad.descriptor(t, 3, now.Add(time.Hour))},
	}
	for _, tc := range cases {
		// The attacker's PutValue may report success: what matters is what
		// the honest nodes hold afterwards.
		_ = bad.kad.PutValue(ctx, overlay.DescriptorKey(tc.key), tc.raw)
	}
	for i, nd := range net.Nodes {
		ov := nd.Overlay()
		d, err := ov.FetchDescriptor(ctx, bad.id)
		if err != nil || d.Seq != 10 {
			t.Fatalf("node %d serves the attacker's descriptor as %v, %v; want the genuine seq 10", i, d, err)
		}
		if i != 2 {
			v, err := ov.FetchDescriptor(ctx, victim)
			if err != nil || v.Peer != victim {
				t.Fatalf("node %d: victim's descriptor damaged: %v", i, err)
			}
		}
		// Handed to the directory directly, each is refused too.
		if _, err := ov.Directory().Add(good, bad.id); err != nil {
			t.Fatalf("node %d refuses the genuine descriptor: %v", i, err)
		}
		for _, tc := range cases {
			if _, err := ov.Directory().Add(tc.raw, tc.key); err == nil {
				t.Errorf("node %d directory accepted %s", i, tc.name)
			}
		}
	}
	// Still serving: a fresh publication spreads as before.
	src := net.Nodes[4].Overlay()
	if err := src.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := net.Nodes[1].Overlay().FetchDescriptor(ctx, src.ID())
	if err != nil || d.Seq != src.Seq() {
		t.Fatalf("after the attack, publication no longer spreads: %v", err)
	}
	if _, err := net.Nodes[0].Client().Status(ctx); err != nil {
		t.Fatal(err)
	}
	var stale int
	for _, nd := range net.Nodes {
		stale += nd.Overlay().Directory().Rejections()[overlay.ErrStale.Error()]
	}
	if stale == 0 {
		t.Error("no directory counted the replayed descriptor")
	}
}
