package overlay

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// Attackers apart: BenchmarkFloodBuild's "-apart" cases run the attacker
// hosts in a child process (this test binary again, running
// TestFloodAttackers) at the lowest CPU priority, as real attackers run
// on machines of their own: the same hosts, links and flood as in
// process, but their own crypto, yamux and garbage collection no longer
// share the relay's and the honest client's runtime, and the kernel gives
// the benchmark's process the cores first when both want them.

// floodChildEnv carries a child's orders (floodOrders, JSON).
const floodChildEnv = "CYCLECASH_FLOOD_ATTACKERS"

// floodOrders is what a child attacker process is told.
type floodOrders struct {
	Relay string   // peer ID
	Addrs []string // multiaddrs
	KeyID string   // hex onion key ID
	Links int      // attacker hosts, one link each
	Rate  float64  // CREATEs/s per link; 0: as fast as it takes them
}

// TestFloodAttackers, started by startAttackers with floodChildEnv set, is
// the child's side (floodChild). In a normal run it checks the harness the
// benchmark's figures rest on: a child started at the lowest priority opens
// its links, floods when told, and the relay reads and answers its
// CREATEs; a child that wrote nothing, or whose CREATEs never reached the
// relay, would make the -apart cases measure an unloaded relay.
func TestFloodAttackers(t *testing.T) {
	if raw := os.Getenv(floodChildEnv); raw != "" {
		floodChild(t, raw)
		return
	}
	relay := floodNode(t, RoleRelay|RoleGateway, RelayLimits{SubnetCreateRate: 1e6, SubnetCreateBurst: 1e6})
	child := startAttackers(t, relay, 2, 0)
	before := absorbed(relay)
	child.send("mark")
	child.send("flood")
	deadline := time.Now().Add(30 * time.Second)
	for absorbed(relay)-before < 2*defaultPeerCreateBurst {
		if time.Now().After(deadline) {
			t.Fatalf("the relay answered %d CREATEs of the attacker process in 30 s", absorbed(relay)-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if sent := child.stop(); sent < 2*defaultPeerCreateBurst {
		t.Fatalf("the attacker process reports %d CREATEs written, fewer than the relay answered", sent)
	}
}

// floodChild opens the links of the orders in raw, prints "ready", then
// reads commands on stdin: "flood" starts every link's CREATE flood,
// "mark" zeroes the count of CREATEs written, and end of input prints
// "sent N" (written since the mark) and ends.
func floodChild(t *testing.T, raw string) {
	var ord floodOrders
	if err := json.Unmarshal([]byte(raw), &ord); err != nil {
		t.Fatal(err)
	}
	niceAll(t)
	relay, err := peer.Decode(ord.Relay)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []ma.Multiaddr
	for _, a := range ord.Addrs {
		addrs = append(addrs, ma.StringCast(a))
	}
	var key onion.KeyID
	if b, err := hex.DecodeString(ord.KeyID); err != nil || len(b) != len(key) {
		t.Fatalf("key ID %q", ord.KeyID)
	} else {
		copy(key[:], b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var links []network.Stream
	for range ord.Links {
		links = append(links, rawLinkTo(t, ctx, relay, addrs))
	}
	fmt.Println("ready")
	var sent atomic.Int64
	var wg sync.WaitGroup
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "flood":
			for _, s := range links {
				wg.Add(1)
				go func() { defer wg.Done(); floodCreatesAt(ctx, s, key, &sent, ord.Rate) }()
			}
		case "mark":
			sent.Store(0)
		}
	}
	fmt.Println("sent", sent.Load())
	cancel()
	for _, s := range links {
		_ = s.Reset() // unblocks writers held by the relay's read pause
	}
	wg.Wait()
}

// niceAll lowers every thread of this process to the lowest priority
// (Linux priorities are per thread; threads made later inherit it from
// the thread making them, all of which are lowered by then).
func niceAll(t *testing.T) {
	for range 2 { // a thread started during the first pass
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range tasks {
			if tid, err := strconv.Atoi(task.Name()); err == nil {
				if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// rawLinkTo is rawLink to a relay known by ID and addresses.
func rawLinkTo(t testing.TB, ctx context.Context, relay peer.ID, addrs []ma.Multiaddr) network.Stream {
	t.Helper()
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	h, err := New(Config{Identity: id, Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}, PoWBits: testPoWBits})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	h.Host().Peerstore().AddAddrs(relay, addrs, peerstore.TempAddrTTL)
	s, err := h.Host().NewStream(ctx, relay, OnionProtocol)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attackerProcess is the parent's handle on a child attacker process.
type attackerProcess struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// startAttackers starts a child process with n attacker links to relay,
// each to flood at rate (0: unpaced), and waits until they are open.
func startAttackers(b testing.TB, relay *netNode, n int, rate float64) *attackerProcess {
	b.Helper()
	keyID := onion.OnionKeyID(relay.desc.OnionKey)
	ord := floodOrders{Relay: relay.ov.ID().String(), KeyID: hex.EncodeToString(keyID[:]), Links: n, Rate: rate}
	for _, a := range relay.ov.Addrs() {
		ord.Addrs = append(ord.Addrs, a.String())
	}
	raw, _ := json.Marshal(ord)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFloodAttackers$", "-test.count=1")
	cmd.Env = append(os.Environ(), floodChildEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &attackerProcess{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	b.Cleanup(func() { p.in.Close(); _ = p.cmd.Wait() })
	if p.line("ready") == "" {
		b.Fatal("attacker process ended before its links were open")
	}
	return p
}

// line reads the child's output up to a line starting with prefix.
func (p *attackerProcess) line(prefix string) string {
	for p.out.Scan() {
		if l := p.out.Text(); strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func (p *attackerProcess) send(cmd string) { _, _ = fmt.Fprintln(p.in, cmd) }

// stop ends the child and returns the CREATEs written since the mark.
func (p *attackerProcess) stop() int64 {
	p.in.Close()
	var n int64
	_, _ = fmt.Sscanf(p.line("sent "), "sent %d", &n)
	_ = p.cmd.Wait()
	return n
}
