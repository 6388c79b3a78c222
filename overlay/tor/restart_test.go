package tor

import (
	"context"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// waitPhase polls l's state (an event the supervisor sets, not a timer)
// until it reaches phase.
func waitPhase(t *testing.T, l *Later, phase string) State {
	t.Helper()
	ctx := dialCtx(t)
	for {
		st := l.State()
		if st.Phase == phase {
			return st
		}
		if ctx.Err() != nil {
			t.Fatalf("state %+v, want phase %s", st, phase)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The attack: a stealth worker's tor is killed (by a local adversary, the
// OOM killer, a crash) while the node runs, hoping its next guard link
// goes out directly and names the worker's address. While tor is down the
// state says so in one line and dials wait, then fail with ErrTorExited
// (fallback is off); the tor is then started again, a dial that waited
// completes through it, and dials leave through an exit.
// On the old code the tor stayed dead and State said "exited" for good.
func TestLaterRestartsKilledTor(t *testing.T) {
	cfg := Config{Dir: t.TempDir(), Torrc: privateNet(t).ClientTorrc(), BootstrapTimeout: 90 * time.Second}
	l, err := NewLater(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	l.hold = func(ctx context.Context, _ int) error {
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t.Cleanup(func() { l.Close(); assertNoTor(t, cfg.Dir) })
	l.Start()
	first, err := l.Wait(dialCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(first.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st := waitPhase(t, l, "restarting")
	oneLine(t, errors.New(st.Error))
	if st.LastExit == "" || st.Restarts != 0 {
		t.Fatalf("state while down: %+v", st)
	}
	srv := acceptor(t)
	short, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if c, err := l.Dial(short, srv.Addr().String(), "guard"); !errors.Is(err, ErrTorExited) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("dial while tor is down (and held down): %v, want ErrTorExited", err)
	}
	waiting := make(chan net.Conn, 1)
	go func() { // a dial made while tor is down completes once it is back
		c, err := l.Dial(dialCtx(t), srv.Addr().String(), "guard-2")
		if err != nil {
			t.Errorf("dial waiting for the restart: %v", err)
		}
		waiting <- c
	}()
	close(gate)
	next, err := l.Next(dialCtx(t), first)
	if err != nil {
		t.Fatal(err)
	}
	if next.PID() == first.PID() || next.PID() == 0 {
		t.Fatalf("restarted tor pid %d (first %d)", next.PID(), first.PID())
	}
	if st := l.State(); st.Phase != "ready" || st.Restarts != 1 || st.LastExit == "" {
		t.Fatalf("state after restart: %+v", st)
	}
	c, err := l.Dial(dialCtx(t), srv.Addr().String(), "guard")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, owner := readSeen(t, c); !isExitPID(owner) {
		t.Fatalf("after restart the server sees pid %d, not an exit %v", owner, exitPIDs())
	}
	if wc := <-waiting; wc != nil {
		defer wc.Close()
		if _, owner := readSeen(t, wc); !isExitPID(owner) {
			t.Fatalf("the dial that waited for the restart arrived from pid %d, not an exit", owner)
		}
	}
	if pids := testNetProcs(cfg.Dir); len(pids) != 1 || pids[0] != next.PID() {
		t.Fatalf("tor processes in the data directory: %v, want only %d", pids, next.PID())
	}
}

// An attached tor is not ours: Next reports its death instead of waiting
// for a restart that never comes.
func TestLaterNextWithoutRestart(t *testing.T) {
	l, err := NewLater(Config{Dir: t.TempDir(), Binary: "/nonexistent/tor"}, nil)
	if err == nil {
		l.Close()
		t.Fatal("a missing binary was accepted")
	}
	l, err = NewLater(Config{Control: "127.0.0.1:1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Start()
	if _, err := l.Next(dialCtx(t), nil); !errors.Is(err, ErrControlRefused) {
		t.Fatalf("next after a refused attach: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if st := l.State(); st.Phase != "failed" {
		t.Fatalf("state %+v", st)
	}
}
