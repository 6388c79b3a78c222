package overlay

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
)

// floodCircuits is how many honest circuits the flood test builds. The
// issue asks for 1,000; the default is scaled to a 2-core machine shared
// with other jobs (CYCLECASH_FLOOD_CIRCUITS=1000 runs the full size).
func floodCircuits() int {
	if n, err := strconv.Atoi(os.Getenv("CYCLECASH_FLOOD_CIRCUITS")); err == nil && n > 0 {
		return n
	}
	return 200
}

// floodNode starts an overlay and onion on 127.0.0.1 with the given limits.
func floodNode(t testing.TB, roles Role, lim RelayLimits) *netNode {
	t.Helper()
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	key, _ := onion.GenerateOnionKey(rand.Reader)
	ov, err := New(Config{Identity: id, OnionKey: key.Public, Roles: roles, Bandwidth: 1 << 20,
		Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}, PoWBits: testPoWBits,
		Rules: PathRules{LoopbackDistinct: true}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOnion(ov, OnionConfig{Keys: []*onion.OnionKey{key}, AcceptStreams: roles&RoleGateway != 0,
		Limits: lim, MaxClientCircuits: 1 << 12})
	if err != nil {
		t.Fatal(err)
	}
	n := &netNode{ov: ov, o: o}
	if n.desc, n.raw, err = ov.Descriptor(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(); ov.Close() })
	return n
}

// rawLink opens an onion link to relay from a bare libp2p host: the
// attackers speak cells directly, ignoring every rule a real client keeps.
func rawLink(t testing.TB, ctx context.Context, relay *netNode) network.Stream {
	t.Helper()
	return rawLinkTo(t, ctx, relay.ov.ID(), relay.ov.Addrs())
}

// floodCreates writes CREATEs naming the relay's onion key with random
// handshakes, as fast as the link takes them, until ctx ends (then it
// resets s); replies are read and dropped. Each costs the relay a
// Diffie-Hellman if it is let in. A write waits as long as the relay does
// not read (readpause.go): the attacker keeps its flood queued rather than
// give up.
func floodCreates(ctx context.Context, s network.Stream, keyID onion.KeyID, sent *atomic.Int64) {
	floodCreatesAt(ctx, s, keyID, sent, 0)
}

// floodCreatesAt is floodCreates at rate CREATEs per second (0: as fast
// as the link takes them).
func floodCreatesAt(ctx context.Context, s network.Stream, keyID onion.KeyID, sent *atomic.Int64, rate float64) {
	go func() { _, _ = io.Copy(io.Discard, s) }()
	stop := context.AfterFunc(ctx, func() { _ = s.Reset() })
	defer stop()
	batch := make([]onion.Cell, 64)
	next := time.Now()
	for id := uint32(1); ctx.Err() == nil; {
		for i := range batch {
			c := &batch[i]
			_, _ = rand.Read(c[:])
			c.SetHeader(id, onion.CmdCreate)
			c.Body()[0] = onion.CellsVersion
			copy(c.Body()[1:], keyID[:])
			id++
		}
		if rate > 0 {
			next = next.Add(time.Duration(float64(len(batch)) / rate * float64(time.Second)))
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(next)):
			}
		}
		if _, err := s.Write(cellBytes(batch)); err != nil {
			return
		}
		sent.Add(int64(len(batch)))
	}
}

// floodWindow builds one circuit ending at the relay over s, opens a stream
// to a service that never reads, and sends DATA far past the stream window,
// bypassing the client's flow control. It reports whether the relay closed
// that circuit.
func floodWindow(t testing.TB, s network.Stream, relay *netNode) bool {
	cc, create, err := onion.NewClientCircuit(rand.Reader, 1, onion.HopSpec{Identity: []byte(relay.ov.ID()), OnionKey: relay.desc.OnionKey})
	if err != nil {
		t.Error(err)
		return false
	}
	r := newCellReader(s)
	send := func(cells []onion.Cell) bool {
		_ = s.SetWriteDeadline(time.Now().Add(10 * time.Second))
		_, err := s.Write(cellBytes(cells))
		return err == nil
	}
	recv := func() (onion.Event, error) {
		_ = s.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			cells, err := r.read()
			for i := range cells {
				if cells[i].CircID() == 0 {
					continue
				}
				if cells[i].Cmd() == onion.CmdDestroy {
					return onion.Event{}, onion.ErrCircuitClosed
				}
				ev, _, herr := cc.HandleCell(&cells[i], nil)
				return ev, herr
			}
			if err != nil {
				return onion.Event{}, err
			}
		}
	}
	if !send([]onion.Cell{*create}) {
		return false
	}
	if _, err := recv(); err != nil {
		t.Errorf("window attacker's circuit not built: %v", err)
		return false
	}
	id, cells, err := cc.Begin("sink", nil)
	if err != nil || !send(cells) {
		return false
	}
	if _, err := recv(); err != nil {
		t.Errorf("window attacker's stream not opened: %v", err)
		return false
	}
	cells = cells[:0]
	for range 2 * onion.StreamWindowStart {
		cells, _ = cc.SendRelay(1, onion.RelayMsg{Cmd: onion.RelayData, StreamID: id, Data: make([]byte, onion.MaxRelayData)}, cells)
	}
	if !send(cells) {
		return true
	}
	for {
		if _, err := recv(); err != nil {
			return true
		}
	}
}

// TestRelayFlood: one relay (a gateway, so honest circuits carry data
// through to it), honest clients building many circuits and echoing data
// on each, while one attacker floods the relay with CREATEs from one link
// and another floods one circuit far past its window. Honest builds still
// succeed (≥ 95 %), no honest circuit is torn down, the relay never holds
// more queued cells than its budget, and each attack is refused and
// counted. With the old relay every CREATE ran under the onion lock and
// was answered; there was no per-peer bucket to refuse them.
func TestRelayFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host flood")
	}
	total := floodCircuits()
	// Every host here is on 127.0.0.0/16: the /16 bucket would throttle the
	// honest clients with the attacker. It is tested in TestCreateAdmission.
	lim := RelayLimits{SubnetCreateRate: 1e6, SubnetCreateBurst: 1e6, QueueBudget: 4 << 20}
	relay := floodNode(t, RoleRelay|RoleGateway, lim)
	relay.o.Handle("echo", func(c net.Conn) { defer c.Close(); _, _ = io.Copy(c, c) })
	relay.o.Handle("sink", func(c net.Conn) { <-time.After(time.Minute); c.Close() })
	clients := max(4, total/100) // each client's builds fit its CREATE burst
	var honest []*netNode
	for range clients {
		n := floodNode(t, RoleRelay, RelayLimits{})
		introduce(t, []*netNode{relay}, n)
		honest = append(honest, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var maxQueued, budget, maxHeap atomic.Int64
	heapBase := heapObjects()
	stopWatch := make(chan struct{})
	watchDone := make(chan struct{})
	go func() { // the relay's queued cells and the heap, sampled while everything runs
		defer close(watchDone)
		for {
			c := relay.o.DefenceCounters()
			budget.Store(c.QueueBudgetCells)
			if c.QueuedCells > maxQueued.Load() {
				maxQueued.Store(c.QueuedCells)
			}
			if h := heapObjects() - heapBase; h > maxHeap.Load() {
				maxHeap.Store(h)
			}
			select {
			case <-stopWatch:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	floodCtx, stopFlood := context.WithCancel(ctx)
	var sent atomic.Int64
	var floodDone sync.WaitGroup
	floodDone.Add(2)
	createLink, windowLink := rawLink(t, ctx, relay), rawLink(t, ctx, relay)
	go func() {
		defer floodDone.Done()
		floodCreates(floodCtx, createLink, onion.OnionKeyID(relay.desc.OnionKey), &sent)
	}()
	windowClosed := make(chan bool, 1)
	go func() { defer floodDone.Done(); windowClosed <- floodWindow(t, windowLink, relay) }()

	payload := bytes.Repeat([]byte("honest "), 256)
	var built, echoed atomic.Int32
	circs := make([]*Circuit, total)
	var wg sync.WaitGroup
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := honest[i%clients]
			c, err := n.o.build(ctx, []*Descriptor{relay.desc})
			if err != nil {
				return
			}
			built.Add(1)
			circs[i] = c
			s, err := c.Dial(ctx, "echo")
			if err != nil {
				return
			}
			defer s.Close()
			if _, err := s.Write(payload); err != nil {
				return
			}
			got := make([]byte, len(payload))
			if _, err := io.ReadFull(s, got); err == nil && bytes.Equal(got, payload) {
				echoed.Add(1)
			}
		}()
	}
	wg.Wait()
	stopFlood()
	floodDone.Wait()
	close(stopWatch)
	<-watchDone

	if b := int(built.Load()); b*100 < total*95 {
		t.Errorf("%d of %d honest circuits built under flood, want ≥ 95%%", b, total)
	}
	if e := echoed.Load(); e != built.Load() {
		t.Errorf("%d of %d built circuits echoed their data", e, built.Load())
	}
	for i, c := range circs {
		if c != nil && c.Err() != nil {
			t.Errorf("honest circuit %d torn down: %v", i, c.Err())
		}
	}
	if !<-windowClosed {
		t.Error("the circuit flooded past its window was not closed")
	}
	c := relay.o.DefenceCounters()
	if c.PeerRateRefused == 0 || c.WindowViolations == 0 {
		t.Errorf("defences not counted: %+v", c)
	}
	if maxQueued.Load() > budget.Load() {
		t.Errorf("relay held %d queued cells, over its budget of %d", maxQueued.Load(), budget.Load())
	}
	// The heap holds every node of the test, not the relay alone: the
	// allowance is the relay's queue budget plus floodHeapPerCircuit for each
	// honest circuit (both ends, the stream and its echo buffers) and
	// floodHeapFixed for the hosts, the attackers and the handshake queue.
	allow := lim.QueueBudget + int64(total)*floodHeapPerCircuit + floodHeapFixed
	if maxHeap.Load() > allow {
		t.Errorf("heap grew by %d KiB under flood, over the allowance of %d KiB", maxHeap.Load()>>10, allow>>10)
	}
	t.Logf("%d/%d built, %d CREATEs flooded, counters %+v, max queued %d cells, heap +%d KiB (allowance %d KiB)",
		built.Load(), total, sent.Load(), c, maxQueued.Load(), maxHeap.Load()>>10, allow>>10)
}

// The flood test's heap allowance (see TestRelayFlood).
const (
	floodHeapPerCircuit = 64 << 10
	floodHeapFixed      = 32 << 20
)

// heapObjects is the bytes of live and not yet swept heap objects: cheap
// to read (no stop-the-world), so it can be sampled every few ms.
func heapObjects() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
