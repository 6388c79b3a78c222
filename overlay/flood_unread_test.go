package overlay

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"cyclecash/onion"
)

// TestGatewayUnreadBounded: attacker = a client filling many streams, each
// within its stream window, to a gateway service that reads nothing. The
// gateway's buffers must stop at the circuit window (the circuit SENDME
// waits for the application to read); on the old code they took a stream
// window per stream, 6 × 2000 cells here. Then the bytes of streams the
// client ended are read, or dropped by a handler closing its conn, after
// the END: both must reopen the circuit window for a new stream.
func TestGatewayUnreadBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	gw, client := gatewayAndClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	release := make(chan struct{})
	got := make(chan int, 16)
	var mu sync.Mutex
	var handed []*Stream // every stream the sinks got, ended ones too
	gw.o.Handle("sink", func(c net.Conn) {
		defer c.Close()
		mu.Lock()
		handed = append(handed, c.(*Stream))
		mu.Unlock()
		<-release
		n, _ := io.Copy(io.Discard, c)
		got <- int(n)
	})
	gw.o.Handle("drop", func(c net.Conn) { <-release; c.Close() })
	circ, err := client.o.build(ctx, []*Descriptor{gw.desc})
	if err != nil {
		t.Fatal(err)
	}
	window := onion.StreamWindowStart * onion.MaxRelayData
	data := bytes.Repeat([]byte{'x'}, window)

	const streams = 6
	for range streams {
		s, err := circ.Dial(ctx, "sink")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = s.Write(data); s.Close() }()
	}
	buffered := func() int {
		mu.Lock()
		defer mu.Unlock()
		return unread(handed)
	}
	held := awaitStall(t, ctx, buffered, circ)
	if cells := held / onion.MaxRelayData; cells > onion.CircWindowStart {
		t.Fatalf("the gateway buffers %d unread cells on one circuit, more than its window, %d", cells, onion.CircWindowStart)
	}
	close(release)
	for range streams {
		if n := recvCtx(t, ctx, got); n != window {
			t.Fatalf("a sink read %d bytes, want %d", n, window)
		}
	}

	// Two streams fill the circuit window and end; one handler reads after
	// the END, one closes unread. A third stream must get through.
	release = make(chan struct{})
	for _, svc := range []string{"sink", "drop"} {
		s, err := circ.Dial(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write(data); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	for gw.destStreams() > 0 { // both ENDs arrived
		select {
		case <-ctx.Done():
			t.Fatal("the gateway never saw the ENDs")
		case <-time.After(10 * time.Millisecond):
		}
	}
	close(release)
	if n := recvCtx(t, ctx, got); n != window {
		t.Fatalf("the sink read %d bytes after the END, want %d", n, window)
	}
	s, err := circ.Dial(ctx, "sink")
	if err != nil {
		t.Fatal(err)
	}
	_ = s.SetWriteDeadline(time.Now().Add(20 * time.Second))
	if _, err := s.Write(bytes.Repeat(data, 3)); err != nil {
		t.Fatalf("a new stream after ended ones: %v", err)
	}
	s.Close()
	if n := recvCtx(t, ctx, got); n != 3*window {
		t.Fatalf("the new stream's sink read %d bytes, want %d", n, 3*window)
	}
}

// recvCtx receives from ch, failing the test when ctx ends first (a
// circuit window that never reopens).
func recvCtx(t *testing.T, ctx context.Context, ch <-chan int) int {
	t.Helper()
	select {
	case n := <-ch:
		return n
	case <-ctx.Done():
		t.Fatal("a sink never reached the end of its stream: the circuit window stayed shut")
		return 0
	}
}

// awaitStall waits until the client of circ can send nothing more and all
// it sent sits in the buffers buffered sums, and returns those bytes.
func awaitStall(t *testing.T, ctx context.Context, buffered func() int, circ *Circuit) int {
	t.Helper()
	for {
		sent, shut := circ.sentShut()
		if held := buffered(); shut && held == sent && sent > 0 {
			return held
		}
		select {
		case <-ctx.Done():
			held := buffered()
			t.Fatalf("the transfer neither finished nor stalled: sent %d (windows shut: %v), %d buffered", sent, shut, held)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sentShut returns the bytes c sent and whether every stream's window is
// shut.
func (c *Circuit) sentShut() (int, bool) {
	o := c.o
	o.mu.Lock()
	defer o.mu.Unlock()
	for id := range c.streams {
		if c.cc.SendWindow(id) > 0 {
			return int(c.sent), false
		}
	}
	return int(c.sent), true
}

// unread sums the bytes buffered and not yet read in streams.
func unread(streams []*Stream) int {
	total := 0
	for _, s := range streams {
		s.mu.Lock()
		total += len(s.buf) - s.off
		s.mu.Unlock()
	}
	return total
}

// destStreams counts n's open destination streams.
func (n *netNode) destStreams() int {
	n.o.mu.Lock()
	defer n.o.mu.Unlock()
	total := 0
	for _, m := range n.o.dest {
		total += len(m)
	}
	return total
}

// gatewayAndClient starts a gateway and a client whose directory holds it.
func gatewayAndClient(t *testing.T) (gw, client *netNode) {
	t.Helper()
	gw = floodNode(t, RoleRelay|RoleGateway, RelayLimits{})
	client = floodNode(t, RoleRelay, RelayLimits{})
	if _, err := client.ov.dir.Add(gw.raw, gw.ov.ID()); err != nil {
		t.Fatal(err)
	}
	return gw, client
}
