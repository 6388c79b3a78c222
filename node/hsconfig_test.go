package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"

	"cyclecash/node/hs"
)

// TestHSConfigRefused: a SOCKS5 address off loopback, a hidden service
// mapped to a non-loopback target, and two services of one name each fail
// the start with a message naming the key; "off" runs no proxy.
func TestHSConfigRefused(t *testing.T) {
	base := func() Config {
		return Config{DataDir: t.TempDir(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0"}
	}
	web := hs.ServiceConfig{Name: "web", Ports: []string{"80 127.0.0.1:8080"}}
	for _, tc := range []struct {
		name, want string
		mod        func(c *Config)
	}{
		{"socks on all interfaces", "socks", func(c *Config) { c.Socks = "0.0.0.0:9050" }},
		{"socks host name", "socks", func(c *Config) { c.Socks = "localhost:9050" }},
		{"target off loopback", "hidden_service", func(c *Config) {
			c.HiddenServices = []hs.ServiceConfig{{Name: "web", Ports: []string{"80 192.168.1.2:80"}}}
		}},
		{"name twice", "twice", func(c *Config) { c.HiddenServices = []hs.ServiceConfig{web, web} }},
		{"role target without the role", "role:market", func(c *Config) {
			c.HiddenServices = []hs.ServiceConfig{{Name: "shop", Ports: []string{"80 role:market"}}}
		}},
		{"bad role target", "hidden_service", func(c *Config) {
			c.HiddenServices = []hs.ServiceConfig{{Name: "shop", Ports: []string{"80 role:"}}}
		}},
	} {
		c := base()
		tc.mod(&c)
		n, err := New(c, nil)
		if err == nil {
			n.Close()
			t.Errorf("%s: started", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to name %q", tc.name, err, tc.want)
		}
	}
	c := base()
	c.Socks, c.HiddenServices = "off", []hs.ServiceConfig{web}
	n, err := New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.SocksAddr() != nil {
		t.Fatal(`socks = "off" runs a proxy`)
	}
	if st := n.HiddenServices(); len(st) != 1 || st[0].Name != "web" || !strings.HasSuffix(st[0].Address, ".mesh") {
		t.Fatalf("hidden services %+v", st)
	}
}

// holdDefaultSocks makes DefaultSocks busy for the test: it listens there
// itself, or finds another program already does.
func holdDefaultSocks(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", DefaultSocks)
	if err == nil {
		t.Cleanup(func() { ln.Close() })
		return
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatal(err)
	}
}

// TestSocksDefaultBusy: the default SOCKS5 address held by another program
// (a second node on the machine) is one warning line: the node starts
// without a proxy and its status says "busy" at that address.
func TestSocksDefaultBusy(t *testing.T) {
	holdDefaultSocks(t)
	var logs bytes.Buffer
	c := Config{DataDir: t.TempDir(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0", HSConfig: HSConfig{Socks: DefaultSocks}}
	n, err := New(c, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("the default SOCKS5 port busy fails the start: %v", err)
	}
	defer n.Close()
	if n.SocksAddr() != nil {
		t.Fatal("a proxy runs on a busy port")
	}
	js, err := json.Marshal(n.Status())
	if err != nil {
		t.Fatal(err)
	}
	if want := `"socks":{"addr":"` + DefaultSocks + `","state":"busy"}`; !strings.Contains(string(js), want) {
		t.Fatalf("status %s lacks %s", js, want)
	}
	var notes []string
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, "socks") {
			notes = append(notes, l)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "busy") || !strings.Contains(notes[0], "level=WARN") {
		t.Fatalf("want one warning about the busy port, got %q", notes)
	}
}

// TestSocksChosenBusy: an address the user chose, busy, fails the start in
// one line naming it; "off" and the zero value run no proxy.
func TestSocksChosenBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := Config{DataDir: t.TempDir(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0", HSConfig: HSConfig{Socks: ln.Addr().String()}}
	n, err := New(c, nil)
	if err == nil {
		n.Close()
		t.Fatal("started with its chosen SOCKS5 address busy")
	}
	if msg := err.Error(); !errors.Is(err, ErrSocksBusy) || strings.Contains(msg, "\n") || !strings.Contains(msg, ln.Addr().String()) {
		t.Fatalf("error %q: want one line, ErrSocksBusy, naming the address", msg)
	}
	for _, off := range []string{"off", ""} {
		c.Socks, c.DataDir = off, t.TempDir()
		n, err := New(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := n.SocksStatus()
		n.Close()
		if st != (SocksStatus{State: "off"}) {
			t.Fatalf("socks %q: status %+v", off, st)
		}
	}
}
