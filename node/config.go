package node

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"cyclecash/node/work"
	"cyclecash/node/worker"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Config is everything a node needs. The TOML keys are the config file's;
// every CLI flag maps onto one of them. The zero value of each field means
// its default (see Defaults), except DataDir, which is required.
type Config struct {
	DataDir   string   `toml:"data"`      // identity, keys, guards, stores
	Listen    []string `toml:"listen"`    // multiaddrs to bind; never all interfaces implicitly
	Bootstrap []string `toml:"bootstrap"` // multiaddrs with /p2p/<peerID>
	Roles     []string `toml:"roles"`     // relay, gateway, market, worker
	API       string   `toml:"api"`       // control API: "unix" (socket in DataDir) or a loopback host:port
	LogLevel  string   `toml:"log_level"` // debug, info, warn, error
	Metrics   string   `toml:"metrics"`   // Prometheus metrics on this loopback HOST:PORT; "" = none

	Bandwidth uint64 `toml:"bandwidth"` // advertised relay bandwidth, bytes per second
	Family    string `toml:"family"`    // operator family: your relays never share a path
	// RelayRate caps the bytes per second this node relays for others; 0 =
	// no cap. It can only lower a node's share: every node relays.
	RelayRate uint64 `toml:"relay_rate"`
	// Relay holds the relay's flood defences (section [relay]): handshake
	// workers and queue, CREATE buckets, circuit cap, queue memory budget.
	Relay overlay.RelayLimits `toml:"relay"`

	MemoryMB int `toml:"memory_mb"` // libp2p resource manager budget
	MaxConns int `toml:"max_conns"` // connection manager high-water mark

	DescriptorLifetime time.Duration `toml:"descriptor_lifetime"`
	RepublishEvery     time.Duration `toml:"republish_every"`
	GatherEvery        time.Duration `toml:"gather_every"`
	RefreshEvery       time.Duration `toml:"refresh_every"`

	// LoopbackDistinct lets loopback relays share a path. Test networks only.
	LoopbackDistinct bool `toml:"loopback_distinct"`

	// ClientOnly makes a confined client (a stealth worker): no listening,
	// no relaying, no DHT, a fresh identity every start, and connections only
	// to the bootstrap peers and then the entry guards, which serve it the
	// directory. Everything else goes through circuits. compute.mode
	// "stealth" implies it.
	ClientOnly bool `toml:"client_only"`

	// GuardHold is how long a confirmed primary entry guard that is down
	// keeps this node from building through its next primary: circuits
	// wait for it instead (overlay.GuardRules.Hold). 0 = the default,
	// DefaultStealthGuardHold for a stealth node and none for others; a
	// negative value turns it off (guard-spec: the next primary at once).
	GuardHold time.Duration `toml:"guard_hold"`

	// PoWBits is the network's proof-of-work difficulty per relay
	// identity (leading zero bits, at most overlay.MaxPoWBits); Directory
	// bounds the relay directory. Both are network parameters: every node
	// of one network must agree.
	PoWBits   uint8           `toml:"pow_bits"`
	Directory DirectoryConfig `toml:"directory"`

	Ledger  LedgerConfig  `toml:"ledger"`  // the gateway's ledger (role gateway only)
	Compute ComputeConfig `toml:"compute"` // worker mode and limits; gateway scheduling
	Market  MarketConfig  `toml:"market"`  // the marketplace's listener and store (role market only)
	Tor     TorConfig     `toml:"tor"`     // the Tor bridge (torconfig.go)

	HSConfig // socks, [[hidden_service]] (hsconfig.go)

	// WorkerForTest are the worker's test hooks, never from a config file.
	WorkerForTest worker.Hooks `toml:"-"`
}

// DefaultStealthGuardHold is a stealth node's GuardHold. Honest relays that
// are down a day in ten would, without it, make nearly every client use its
// second guard within a month (a fifth of clients ever exposed to a 10 %
// adversary, against a tenth for one guard each); with it a worker waits a
// day for its guard on the days it is down, and moves on only after that
// (BenchmarkPathSecurity in overlay has the figures).
const DefaultStealthGuardHold = 24 * time.Hour

// Defaults returns the configuration a fresh `cyclecash init` writes.
func Defaults() Config {
	return Config{
		Listen:             []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"},
		Bootstrap:          []string{},
		Roles:              []string{"relay"},
		API:                "unix",
		LogLevel:           "info",
		Bandwidth:          8 << 20,
		MemoryMB:           256,
		MaxConns:           192,
		DescriptorLifetime: 3 * time.Hour,
		RepublishEvery:     time.Hour,
		GatherEvery:        2 * time.Minute,
		RefreshEvery:       time.Hour,
		PoWBits:            overlay.DefaultPoWBits,
		Directory: DirectoryConfig{MaxEntries: overlay.MaxDirectoryEntries,
			PerSubnet: overlay.DefaultPerSubnet, PerFamily: overlay.DefaultPerFamily},
		Ledger:   LedgerConfig{Store: StoreBolt},
		Compute:  work.Defaults(),
		HSConfig: HSConfig{Socks: DefaultSocks},
	}
}

// DirectoryConfig bounds the relay directory (overlay.DirectoryPolicy):
// how many entries in all, and per IPv4 /16 (IPv6 /32) and per family.
type DirectoryConfig struct {
	MaxEntries int `toml:"max_entries"`
	PerSubnet  int `toml:"per_subnet"`
	PerFamily  int `toml:"per_family"`
}

// Stealth reports whether the node works in stealth mode, which makes it
// a confined client (ClientOnly).
func (c Config) Stealth() bool { return c.ClientOnly || c.Compute.Mode == work.WorkerStealth }

// WithDefaults fills every zero field of c from Defaults.
func (c Config) WithDefaults() Config {
	d := Defaults()
	c.ClientOnly = c.Stealth()
	if c.Listen == nil && !c.ClientOnly {
		c.Listen = d.Listen
	}
	if c.Roles == nil {
		c.Roles = d.Roles
		if c.ClientOnly {
			c.Roles = []string{"worker"}
		}
	}
	c.API = or(c.API, d.API)
	c.LogLevel = or(c.LogLevel, d.LogLevel)
	c.Bandwidth = or(c.Bandwidth, d.Bandwidth)
	c.MemoryMB = or(c.MemoryMB, d.MemoryMB)
	c.MaxConns = or(c.MaxConns, d.MaxConns)
	c.DescriptorLifetime = or(c.DescriptorLifetime, d.DescriptorLifetime)
	c.RepublishEvery = or(c.RepublishEvery, d.RepublishEvery)
	c.GatherEvery = or(c.GatherEvery, d.GatherEvery)
	c.RefreshEvery = or(c.RefreshEvery, d.RefreshEvery)
	c.PoWBits = or(c.PoWBits, d.PoWBits)
	c.Directory.MaxEntries = or(c.Directory.MaxEntries, d.Directory.MaxEntries)
	c.Directory.PerSubnet = or(c.Directory.PerSubnet, d.Directory.PerSubnet)
	c.Directory.PerFamily = or(c.Directory.PerFamily, d.Directory.PerFamily)
	c.Ledger.Store = or(c.Ledger.Store, d.Ledger.Store)
	c.Compute = c.Compute.WithDefaults(c.ClientOnly)
	if c.GuardHold == 0 && c.ClientOnly {
		c.GuardHold = DefaultStealthGuardHold
	}
	return c
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// parsed is a validated Config turned into the types the overlay takes.
type parsed struct {
	listen    []ma.Multiaddr
	bootstrap []peer.AddrInfo
	roles     overlay.Role
}

// parse validates c once; each message names the config key at fault.
func (c Config) parse() (parsed, error) {
	var p parsed
	if c.DataDir == "" {
		return p, errors.New("node: config: data: a data directory is required")
	}
	for _, s := range c.Listen {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return p, fmt.Errorf("node: config: listen: %q is not a multiaddr", s)
		}
		p.listen = append(p.listen, a)
	}
	for _, s := range c.Bootstrap {
		ai, err := peer.AddrInfoFromString(s)
		if err != nil {
			return p, fmt.Errorf("node: config: bootstrap: %q is not a multiaddr ending in /p2p/<peer ID>", s)
		}
		p.bootstrap = append(p.bootstrap, *ai)
	}
	for _, s := range c.Roles {
		r, err := overlay.ParseRole(strings.TrimSpace(s))
		if err != nil {
			return p, fmt.Errorf("node: config: roles: %w", err)
		}
		p.roles |= r
	}
	if err := c.checkStealth(p); err != nil {
		return p, err
	}
	if err := c.checkNetwork(); err != nil {
		return p, err
	}
	if c.ClientOnly && len(c.Bootstrap) == 0 {
		return p, errors.New("node: config: bootstrap: a client_only node needs a bootstrap peer to fetch its first directory from")
	}
	if _, err := c.apiEndpoint(); err != nil {
		return p, err
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return p, err
	}
	if err := c.Ledger.Validate(); err != nil {
		return p, err
	}
	if err := c.Compute.Validate(c.ClientOnly); err != nil {
		return p, err
	}
	return p, nil
}

// apiEndpoint resolves the API setting to a (network, address) pair. Only
// a unix socket or a loopback TCP address is allowed: its only credential
// is a local token file (apitoken.go), so it must never face a network.
func (c Config) apiEndpoint() ([2]string, error) {
	if c.API == "unix" || c.API == "" {
		return [2]string{"unix", filepath.Join(c.DataDir, "api.sock")}, nil
	}
	if path, ok := strings.CutPrefix(c.API, "unix:"); ok {
		return [2]string{"unix", path}, nil
	}
	host, _, err := net.SplitHostPort(c.API)
	if err != nil {
		return [2]string{}, fmt.Errorf("node: config: api: %q is not unix, unix:PATH or HOST:PORT", c.API)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return [2]string{}, fmt.Errorf("node: config: api: %q is not a loopback address; the control API never listens on a network", c.API)
	}
	return [2]string{"tcp", c.API}, nil
}
