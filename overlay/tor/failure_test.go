package tor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cyclecash/overlay/tor/tortest"
)

// oneLine fails unless err is a single line naming no loopback address.
func oneLine(t *testing.T, err error) {
	t.Helper()
	if s := err.Error(); strings.Contains(s, "\n") || strings.Contains(s, "127.0.0.1") {
		t.Fatalf("error spans lines or names an address: %q", s)
	}
}

func TestStartTorMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := Start(context.Background(), Config{Dir: dir, Binary: filepath.Join(dir, "no-tor")}, nil)
	if !errors.Is(err, ErrTorMissing) {
		t.Fatalf("err = %v, want ErrTorMissing", err)
	}
	oneLine(t, err)
	assertNoTor(t, dir)
}

func TestStartBadConfig(t *testing.T) {
	for _, cfg := range []Config{{}, {Dir: "relative"}, {Dir: "/x", Torrc: []string{"a\nControlPort 1"}}} {
		if _, err := Start(context.Background(), cfg, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", cfg, err)
		}
	}
}

func TestAttachControlRefused(t *testing.T) {
	ports, err := tortest.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Attach(context.Background(), Config{Control: "127.0.0.1:" + strconv.Itoa(ports[0])}, nil)
	if !errors.Is(err, ErrControlRefused) {
		t.Fatalf("err = %v, want ErrControlRefused", err)
	}
	oneLine(t, err)
}

// A tor whose only directory authority is unreachable never bootstraps:
// Start reports the timeout with the progress reached and leaves nothing.
func TestStartBootstrapTimeout(t *testing.T) {
	ports, err := tortest.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dead := fmt.Sprintf("DirAuthority dead orport=%d no-v2 v3ident=%s 127.0.0.1:%d %s",
		ports[0], strings.Repeat("A", 40), ports[1], strings.Repeat("B", 40))
	_, err = Start(context.Background(), Config{Dir: dir, Torrc: []string{"TestingTorNetwork 1", dead},
		BootstrapTimeout: 3 * time.Second, Progress: func(p int, s string) { t.Log(p, s) }}, nil)
	if !errors.Is(err, ErrBootstrapTimeout) || !strings.Contains(err.Error(), "%") {
		t.Fatalf("err = %v, want ErrBootstrapTimeout with the progress", err)
	}
	oneLine(t, err)
	assertNoTor(t, dir)
}

// tor killed under us: every call fails with ErrTorExited, Close is
// clean, the published services stay listed, and no tor remains.
func TestTorKilledMidRun(t *testing.T) {
	tr := startClient(t)
	l := acceptor(t)
	if _, err := tr.Publish(dialCtx(t), "svc", 80, l.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(tr.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-tr.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed after tor was killed")
	}
	_, err := tr.Dial(dialCtx(t), l.Addr().String(), "")
	if !errors.Is(err, ErrTorExited) {
		t.Fatalf("dial after kill: %v, want ErrTorExited", err)
	}
	oneLine(t, err)
	if _, err := tr.Publish(dialCtx(t), "svc2", 80, l.Addr().String()); !errors.Is(err, ErrTorExited) {
		t.Fatalf("publish after kill: %v, want ErrTorExited", err)
	}
	if got := tr.Onions(); len(got) != 1 || got[0].Name != "svc" {
		t.Fatalf("onions after kill = %v", got)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoTor(t, tr.cfg.Dir)
}

// Fallback off (the default): a dead tor never becomes a direct dial. On:
// the dial goes direct, but never for an onion address.
func TestFallbackOnlyWhenAllowed(t *testing.T) {
	for _, allow := range []bool{false, true} {
		tr := startClient(t, func(c *Config) { c.Fallback = allow })
		_ = syscall.Kill(tr.PID(), syscall.SIGKILL)
		<-tr.Done()
		l := acceptor(t)
		c, err := tr.Dial(dialCtx(t), l.Addr().String(), "")
		if allow {
			if err != nil {
				t.Fatalf("fallback allowed: %v", err)
			}
			if port, _ := readSeen(t, c); port != c.LocalAddr().(*net.TCPAddr).Port {
				t.Fatal("fallback did not dial directly")
			}
			c.Close()
			if _, err := tr.Dial(dialCtx(t), strings.Repeat("a", 56)+".onion:80", ""); !errors.Is(err, ErrTorExited) {
				t.Fatalf("onion dial fell back: %v", err)
			}
		} else if !errors.Is(err, ErrTorExited) {
			t.Fatalf("fallback off: dial = %v, want ErrTorExited", err)
		}
	}
}
