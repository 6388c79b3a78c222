package node

import (
	"strings"
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
