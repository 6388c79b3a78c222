package tor

import (
	"context"
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
