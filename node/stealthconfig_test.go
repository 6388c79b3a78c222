package node

import (
	"strings"
	"testing"
	"time"

	"cyclecash/node/work"
)

// TestStealthConfig: the attacker is the gateway a stealth worker serves;
// any setting that would make the worker listen, relay or connect to it
// directly gives it the worker's address. Stealth mode implies a confined
// client, and each such setting is refused at start with one line naming
// it, before anything is bound.
func TestStealthConfig(t *testing.T) {
	boot := []string{"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN"}
	stealth := func(mod func(c *Config)) Config {
		c := Config{DataDir: t.TempDir(), Bootstrap: boot, Roles: []string{"worker"}}
		c.Compute.Mode = WorkerStealth
		mod(&c)
		return c
	}
	cases := []struct {
		name string
		cfg  Config
		want string // "" = accepted
	}{
		{"stealth worker", stealth(func(*Config) {}), ""},
		{"stealth, no roles", stealth(func(c *Config) { c.Roles = nil }), ""},
		{"listen", stealth(func(c *Config) { c.Listen = []string{"/ip4/127.0.0.1/tcp/0"} }), "conflicts with listen"},
		{"relay role", stealth(func(c *Config) { c.Roles = []string{"worker", "relay"} }), "conflicts with roles: relay"},
		{"gateway role", stealth(func(c *Config) { c.Roles = []string{"gateway"} }), "conflicts with roles: gateway"},
		{"market role", stealth(func(c *Config) { c.Roles = []string{"worker", "market"} }), "conflicts with roles: gateway and market"},
		{"relay rate", stealth(func(c *Config) { c.RelayRate = 1 << 20 }), "conflicts with relay_rate"},
		{"client_only open work", stealth(func(c *Config) { c.ClientOnly, c.Compute.Mode = true, WorkerOpen }), "conflicts with compute.mode open"},
		{"pow bits", stealth(func(c *Config) { c.PoWBits = 41 }), "pow_bits: 41"},
		{"negative quota", stealth(func(c *Config) { c.Directory.PerSubnet = -1 }), "directory:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg.WithDefaults()
			if !c.ClientOnly {
				t.Fatal("stealth mode does not make a confined client")
			}
			_, err := c.parse()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			case err != nil && (strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "node: config: ")):
				t.Fatalf("not one line prefixed node: config: %q", err)
			}
		})
	}
}

// TestStealthNoDefaultListen: stealth mode never binds the default listen
// addresses of a relay.
func TestStealthNoDefaultListen(t *testing.T) {
	c := Config{DataDir: t.TempDir()}
	c.Compute.Mode = WorkerStealth
	if c = c.WithDefaults(); len(c.Listen) != 0 {
		t.Fatalf("stealth defaults listen on %v", c.Listen)
	}
	if open := (Config{DataDir: t.TempDir()}).WithDefaults(); len(open.Listen) == 0 {
		t.Fatal("a relay's defaults listen nowhere")
	}
}

// TestGuardHoldDefault: a stealth node waits a day for a guard that is
// down (DefaultStealthGuardHold) unless told otherwise; other nodes keep
// guard-spec's rule; a negative guard_hold turns the wait off.
func TestGuardHoldDefault(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want time.Duration
	}{
		{"stealth", Config{ClientOnly: true}, DefaultStealthGuardHold},
		{"stealth by worker mode", Config{Compute: work.Config{Mode: WorkerStealth}}, DefaultStealthGuardHold},
		{"stealth, shorter", Config{ClientOnly: true, GuardHold: time.Hour}, time.Hour},
		{"stealth, off", Config{ClientOnly: true, GuardHold: -1}, -1},
		{"relay", Config{}, 0},
		{"relay, asked for", Config{GuardHold: time.Hour}, time.Hour},
	}
	for _, tc := range cases {
		if got := tc.cfg.WithDefaults().GuardHold; got != tc.want {
			t.Errorf("%s: guard_hold %v, want %v", tc.name, got, tc.want)
		}
	}
	if DefaultStealthGuardHold != 24*time.Hour {
		t.Errorf("DefaultStealthGuardHold %v: BenchmarkPathSecurity's figures are for a day", DefaultStealthGuardHold)
	}
}
