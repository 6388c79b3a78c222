package servicetest

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
)

// TestDialReachesHandler: a dial reaches the handler of another host of
// the named role, by circuit or direct stream, never its own, and a
// service nobody handles is refused.
func TestDialReachesHandler(t *testing.T) {
	t.Parallel()
	var n Net
	gw := n.NewHost("gw", "gateway", t.TempDir())
	w := n.NewHost("w", "worker", t.TempDir())
	echo := func(c net.Conn) { defer c.Close(); io.Copy(c, c) }
	gw.HandleCircuit("work", echo)
	gw.HandleDirect("/work/1", echo)
	w.HandleCircuit("work", func(c net.Conn) { c.Close() }) // never reached: not a gateway
	ctx := context.Background()
	for _, dial := range []func() (net.Conn, error){
		func() (net.Conn, error) { return w.DialCircuit(ctx, "role:gateway", "work") },
		func() (net.Conn, error) { return w.DialDirect(ctx, "role:gateway", "/work/1") },
		func() (net.Conn, error) { return w.DialCircuit(ctx, "gw", "work") },
	} {
		c, err := dial()
		if err != nil {
			t.Fatal(err)
		}
		go c.Write([]byte("hi"))
		b := make([]byte, 2)
		if _, err := io.ReadFull(c, b); err != nil || string(b) != "hi" {
			t.Fatalf("echo: %q %v", b, err)
		}
		c.Close()
	}
	if _, err := gw.DialCircuit(ctx, "role:gateway", "work"); !errors.Is(err, ErrNoHandler) {
		t.Fatalf("a gateway dialled itself: %v", err)
	}
	if _, err := w.DialCircuit(ctx, "role:gateway", "nosuch"); !errors.Is(err, ErrNoHandler) {
		t.Fatalf("unhandled service: %v", err)
	}
	gw.Report("gateway", func(context.Context) any { return 7 })
	if f := gw.Figures(ctx); f["gateway"] != 7 || len(f) != 1 {
		t.Fatalf("figures %v", f)
	}
}
