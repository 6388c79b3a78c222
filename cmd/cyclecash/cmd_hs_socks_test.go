package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"cyclecash/node"
)

// TestSocksOnByDefault: `run` gets the SOCKS5 proxy at node.DefaultSocks,
// a loopback port that is not Tor's 9050, with no node.toml, with one that
// lacks the key, and in the file init writes; `socks = "off"` and
// `--socks off` turn it off.
func TestSocksOnByDefault(t *testing.T) {
	t.Parallel()
	ap := netip.MustParseAddrPort(node.DefaultSocks)
	if !ap.Addr().IsLoopback() || ap.Port() == 9050 {
		t.Fatalf("default %s: want loopback, not Tor's port", node.DefaultSocks)
	}
	text, err := renderConfig(node.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "\nsocks = \""+node.DefaultSocks+"\"\n") {
		t.Fatalf("init's node.toml lacks socks = %q", node.DefaultSocks)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"--data", filepath.Join(dir, "none")}, node.DefaultSocks},
		{"file without the key", []string{"--config", write("nokey.toml", "data = \""+dir+"\"\n")}, node.DefaultSocks},
		{"socks = off", []string{"--config", write("off.toml", "data = \""+dir+"\"\nsocks = \"off\"\n")}, "off"},
		{"--socks off", []string{"--data", dir, "--socks", "off"}, "off"},
		{"--socks off over the file", []string{"--config", write("set.toml", "data = \""+dir+"\"\nsocks = \"127.0.0.1:7000\"\n"), "--socks", "off"}, "off"},
	} {
		var f nodeFlags
		fs := newFlagSet("run", os.Stderr)
		f.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.load(fs)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if cfg.Socks != tc.want {
			t.Errorf("%s: socks %q, want %q", tc.name, cfg.Socks, tc.want)
		}
	}
}

// runNode starts a node on loopback with its API in dir and waits until
// the API answers.
func runNode(t *testing.T, dir, socks string) *node.Node {
	t.Helper()
	c := node.Config{DataDir: dir, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0", MemoryMB: 64}
	c.Socks = socks
	n, err := node.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; n.Close() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := n.Client().Status(ctx); err == nil {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatal("node API never answered")
		}
	}
}

// TestHSConnectAsksTheNode: `hs connect --data DIR` uses the proxy of the
// node running in DIR. When that node's default port was busy, it says so
// and never dials whatever holds the port.
func TestHSConnectAsksTheNode(t *testing.T) {
	var dialled atomic.Int32
	if ln, err := net.Listen("tcp", node.DefaultSocks); err == nil {
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				dialled.Add(1)
				c.Close()
			}
		}()
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatal(err)
	}
	busy := t.TempDir()
	runNode(t, busy, node.DefaultSocks)
	if _, errs, code := runHSConnect(t, "", "--data", busy, "x.mesh"); code != 1 || !strings.Contains(errs, "busy") || dialled.Load() != 0 {
		t.Fatalf("default port busy: exit %d, stderr %q, %d dials of the port's holder", code, errs, dialled.Load())
	}
	own := t.TempDir()
	runNode(t, own, "127.0.0.1:0") // no node.toml in own: the address can only come from the node
	if _, errs, code := runHSConnect(t, "", "--data", own, "x.mesh"); code != 1 || !strings.Contains(errs, "SOCKS5 reply 2") {
		t.Fatalf("the node's own proxy: exit %d, stderr %q (want its refusal of a bad address)", code, errs)
	}
}
