package overlay

import (
	"context"
	"crypto/rand"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// TestLinkKeepalive: an idle link carries PADDING cells of the one cell
// size, and a neighbour that goes silent (its stream stays open but nothing
// arrives) is dropped after 3×Keepalive.
func TestLinkKeepalive(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, Keepalive: 100 * time.Millisecond})
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	silent, err := New(Config{Identity: id, Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var padding atomic.Int32
	silent.Host().SetStreamHandler(OnionProtocol, func(s network.Stream) {
		var c onion.Cell
		for {
			if _, err := io.ReadFull(s, c[:]); err != nil {
				return
			}
			if c.CircID() == 0 && c.Cmd() == onion.CmdPadding {
				padding.Add(1)
			}
		}
	})
	o.ov.Host().Peerstore().AddAddrs(silent.ID(), silent.Addrs(), peerstore.TempAddrTTL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := o.linkTo(ctx, silent.ID()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for len(o.Links()) > 0 {
		if time.Since(start) > 3*time.Second {
			t.Fatal("silent neighbour never dropped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("link dropped after %v, before 3×Keepalive", d)
	}
	if padding.Load() < 2 {
		t.Fatalf("%d padding cells on an idle link, want several", padding.Load())
	}
}
