package tor

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Every onion client reaches the service from loopback; the attack is
// one of them posing as, or drowning, all the others (a shared rate
// limit). With PublishCircuits, tor tags each connection with its circuit:
// two clients on two circuits (isolation keys) arrive as two circuits,
// the tag is the remote address, and the key lives 0600 in our directory.
func TestPublishCircuitsTagsEachCircuit(t *testing.T) {
	srv := startClient(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := ListenCircuits(inner)
	defer cl.Close()
	o, err := srv.PublishCircuits(dialCtx(t), "cashu", 80, inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(srv.cfg.torDir(), "hs", "cashu", "hs_ed25519_secret_key")
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("onion key %v %v, want mode 0600", st, err)
	}
	client := sharedClient(t)
	seen := map[uint32]string{}
	for _, user := range []string{"alice", "bob"} {
		c, err := dialOnion(dialCtx(t), client, o.Addr(), user)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "hi"); err != nil {
			t.Fatal(err)
		}
		cc := acceptPayload(t, cl, "hi")
		defer cc.Close()
		if prev, dup := seen[cc.Circuit]; dup {
			t.Fatalf("%s and %s arrived on one circuit %d", prev, user, cc.Circuit)
		}
		seen[cc.Circuit] = user
		if ip := cc.RemoteAddr().(*net.TCPAddr).IP; ip.IsLoopback() {
			t.Fatalf("%s's connection is tagged loopback", user)
		}
	}
	if got := srv.Onions(); len(got) != 1 || got[0].ID != o.ID {
		t.Fatalf("onions %v", got)
	}
	if _, err := srv.PublishCircuits(dialCtx(t), "../x", 80, inner.Addr().String()); !errors.Is(err, ErrBadServiceName) {
		t.Fatalf("bad name: %v", err)
	}
}

// acceptPayload accepts the connection that carries want. Tor may connect
// to the service for a stream its client has already given up and retried
// on another circuit; such a connection ends before its first byte and is
// skipped, at most three times. Any other content fails the test.
func acceptPayload(t *testing.T, cl *CircuitListener, want string) *CircuitConn {
	t.Helper()
	for stale := 0; ; stale++ {
		type accepted struct {
			c   net.Conn
			err error
		}
		ch := make(chan accepted, 1)
		go func() { c, err := cl.Accept(); ch <- accepted{c, err} }()
		var a accepted
		select {
		case a = <-ch:
		case <-time.After(time.Minute):
			t.Fatalf("no connection carrying %q within a minute (%d ended empty)", want, stale)
		}
		if a.err != nil {
			t.Fatal(a.err)
		}
		cc := a.c.(*CircuitConn)
		_ = cc.SetReadDeadline(time.Now().Add(30 * time.Second))
		buf := make([]byte, len(want))
		n, err := io.ReadFull(cc, buf)
		if n == 0 && errors.Is(err, io.EOF) && stale < 3 {
			cc.Close()
			continue
		}
		if err != nil || string(buf) != want {
			t.Fatalf("payload %q %v", buf[:n], err)
		}
		_ = cc.SetReadDeadline(time.Time{})
		return cc
	}
}

// dialOnion dials a freshly published onion service through tr, again
// while its descriptor has not reached the directories yet
// (ErrOnionUnreachable), until ctx ends.
func dialOnion(ctx context.Context, tr *Tor, addr, isolation string) (net.Conn, error) {
	for {
		c, err := tr.Dial(ctx, addr, isolation)
		if !errors.Is(err, ErrOnionUnreachable) || ctx.Err() != nil {
			return c, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
}
