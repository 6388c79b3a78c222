package tor

import (
	"context"
	"errors"
	"strconv"
	"time"

	"cyclecash/overlay/tor/tortest"
	"syscall"
	"testing"
)

// Attach to a running tor (cookie authentication): dials work through it,
// and Close leaves that tor running, since it is not ours.
func TestAttachWithCookieLeavesTorRunning(t *testing.T) {
	owner := sharedClient(t)
	tr, err := Attach(context.Background(), Config{Control: owner.ctlAddr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr.PID() != 0 || tr.SocksAddr() != owner.SocksAddr() {
		t.Fatalf("attached: pid %d socks %q", tr.PID(), tr.SocksAddr())
	}
	l := acceptor(t)
	c, err := tr.Dial(dialCtx(t), l.Addr().String(), "attached")
	if err != nil {
		t.Fatal(err)
	}
	if _, owner := readSeen(t, c); !isExitPID(owner) {
		t.Fatalf("attached dial came from pid %d", owner)
	}
	c.Close()
	tr.Close()
	if err := owner.Err(); err != nil || syscall.Kill(owner.PID(), 0) != nil {
		t.Fatalf("closing an attached Tor stopped the tor: %v", err)
	}
}

// Attach with password authentication to a tor that offers nothing else;
// a wrong password is ErrAuth and leaves no connection behind.
func TestAttachWithPassword(t *testing.T) {
	hash, err := tortest.HashPassword("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c, err := privateNet(t).StartClient(dir, "CookieAuthentication 0", "HashedControlPassword "+hash)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctl := "127.0.0.1:" + strconv.Itoa(c.ControlPort)
	var tr *Tor
	deadline := time.Now().Add(30 * time.Second)
	for { // the client opens its control port shortly after launch
		tr, err = Attach(dialCtx(t), Config{Control: ctl, ControlPassword: "s3cret"}, nil)
		if !errors.Is(err, ErrControlRefused) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if got := tr.SocksAddr(); got != "127.0.0.1:"+strconv.Itoa(c.SocksPort) {
		t.Fatalf("socks = %q", got)
	}
	if _, err := Attach(dialCtx(t), Config{Control: ctl, ControlPassword: "wrong"}, nil); !errors.Is(err, ErrAuth) {
		t.Fatalf("wrong password: %v, want ErrAuth", err)
	}
}
