package tor

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"cyclecash/overlay/tor/tortest"
)

const echoProto = "/cyclecash/test/echo/1"

// torHost is a client-only libp2p host whose only transport is tor.
func torHost(t testing.TB, tr *Tor) host.Host {
	t.Helper()
	h, err := libp2p.New(
		libp2p.NoTransports, libp2p.Transport(NewTransport(tr)),
		libp2p.Security(noise.ID, noise.New), libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.NoListenAddrs, libp2p.DisableRelay(), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// loopbackHost listens on TCP 127.0.0.1 only and echoes one line per stream.
func loopbackHost(t testing.TB) host.Host {
	t.Helper()
	h, err := libp2p.New(
		libp2p.NoTransports, libp2p.Transport(tcp.NewTCPTransport),
		libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.Security(noise.ID, noise.New), libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.DisableRelay(), libp2p.DisableMetrics())
	if err != nil {
		t.Fatal(err)
	}
	h.SetStreamHandler(echoProto, func(s network.Stream) {
		defer s.Close()
		line, _ := bufio.NewReader(s).ReadString('\n')
		_, _ = io.WriteString(s, line)
	})
	t.Cleanup(func() { h.Close() })
	return h
}

// echo opens a stream from a to b and checks the echo.
func echo(t *testing.T, a, b host.Host) { echoB(t, a, b) }

func echoB(t testing.TB, a, b host.Host) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := a.NewStream(ctx, b.ID(), echoProto)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := io.WriteString(s, "task done\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(s).ReadString('\n')
	if err != nil || line != "task done\n" {
		t.Fatalf("echo: %q %v", line, err)
	}
}

// seenFrom returns the PID owning the socket b's connection from a comes from.
func seenFrom(t *testing.T, a, b host.Host) int {
	t.Helper()
	conns := b.Network().ConnsToPeer(a.ID())
	if len(conns) != 1 {
		t.Fatalf("b has %d connections from a", len(conns))
	}
	from, err := manet.ToNetAddr(conns[0].RemoteMultiaddr())
	if err != nil {
		t.Fatal(err)
	}
	to, err := manet.ToNetAddr(conns[0].LocalMultiaddr())
	if err != nil {
		t.Fatal(err)
	}
	return tortest.SocketOwner(from.(*net.TCPAddr), to.(*net.TCPAddr))
}

// The stealth worker's attack surface: its guard must see a Tor exit,
// never the worker. Host A has only the tor transport and dials B's
// loopback TCP address; B's view of the link comes from an exit's socket.
func TestLibp2pLinkThroughTorGuardSeesExit(t *testing.T) {
	a, b := torHost(t, sharedClient(t)), loopbackHost(t)
	if err := a.Connect(dialCtx(t), peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		t.Fatal(err)
	}
	echo(t, a, b)
	local := a.Network().ConnsToPeer(b.ID())[0].LocalMultiaddr()
	remote := b.Network().ConnsToPeer(a.ID())[0].RemoteMultiaddr()
	if local.Equal(remote) {
		t.Fatal("the guard sees the worker's own socket")
	}
	if owner := seenFrom(t, a, b); !isExitPID(owner) {
		t.Fatalf("the guard's link comes from pid %d, not an exit %v", owner, exitPIDs())
	}
}

// Bridging: B listens only on loopback and on an onion service; A, which
// cannot reach B's address at all, dials /onion3/<id>:4001 through tor.
func TestLibp2pRelayReachedOnlyThroughItsOnionService(t *testing.T) {
	b := loopbackHost(t)
	bridge := startClient(t)
	target, err := manet.ToNetAddr(b.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	o, err := bridge.Publish(dialCtx(t), "mesh", 4001, target.String())
	if err != nil {
		t.Fatal(err)
	}
	a := torHost(t, sharedClient(t))
	onion := o.Multiaddr()
	if _, err := onion.ValueForProtocol(ma.P_ONION3); err != nil {
		t.Fatal(err)
	}
	ctx := dialCtx(t)
	for {
		err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: []ma.Multiaddr{onion}})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		// A fresh service's descriptor may not have reached the
		// directories yet (socks reply 0xf0, seen once under CI load).
		if sw, ok := a.Network().(*swarm.Swarm); ok {
			sw.Backoff().Clear(b.ID())
		}
		time.Sleep(time.Second)
	}
	echo(t, a, b)
	if owner := seenFrom(t, a, b); owner != bridge.PID() {
		t.Fatalf("B's link comes from pid %d, want its own tor %d", owner, bridge.PID())
	}
}

// The attack: two guards (or an exit watching both) correlate a stealth
// worker because its links to them ride one Tor circuit. Each libp2p link
// the Transport opens is isolated by the remote peer's ID, so two guards
// get two circuits (read from tor's own stream-status). Keying by a
// constant, or not at all, fails this.
func TestLibp2pGuardLinksUseSeparateCircuits(t *testing.T) {
	tr := sharedClient(t)
	w := torHost(t, tr)
	circ := map[peer.ID]string{}
	for range 2 {
		g := loopbackHost(t)
		if err := w.Connect(dialCtx(t), peer.AddrInfo{ID: g.ID(), Addrs: g.Addrs()}); err != nil {
			t.Fatal(err)
		}
		echo(t, w, g)
		target, err := manet.ToNetAddr(g.Addrs()[0])
		if err != nil {
			t.Fatal(err)
		}
		id, err := tr.circuitTo(target.String())
		if err != nil {
			t.Fatal(err)
		}
		for other, c := range circ {
			if c == id {
				t.Fatalf("guards %s and %s share tor circuit %s", other.ShortString(), g.ID().ShortString(), id)
			}
		}
		circ[g.ID()] = id
	}
}
