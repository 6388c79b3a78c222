package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"cyclecash/node"

	"github.com/BurntSushi/toml"
)

// nodeFlags are the flags of `run` that map onto node.Config keys; a flag
// given on the command line wins over the file.
type nodeFlags struct {
	config, data, api, logLevel, family string
	metrics                             string
	listen, bootstrap, roles            listFlag
	bandwidth, relayRate                uint64
	loopbackDistinct, clientOnly, tor   bool
	ledger                              ledgerFlags
	workerMode                          string
	socks                               string // cmd_hs.go
}

func (f *nodeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config file (default DATA/node.toml when it exists)")
	fs.StringVar(&f.data, "data", "", "data directory (config key data)")
	fs.Var(&f.listen, "listen", "multiaddr to listen on, repeatable (config key listen)")
	fs.Var(&f.bootstrap, "bootstrap", "bootstrap peer multiaddr with /p2p/ID, repeatable (config key bootstrap)")
	fs.Var(&f.roles, "role", "relay|gateway|market|worker, repeatable (config key roles)")
	fs.StringVar(&f.api, "api", "", "control API: unix, unix:PATH or loopback HOST:PORT (config key api)")
	fs.StringVar(&f.logLevel, "log-level", "", "debug|info|warn|error (config key log_level)")
	fs.StringVar(&f.metrics, "metrics", "", "serve Prometheus metrics on this loopback HOST:PORT (config key metrics)")
	fs.StringVar(&f.family, "family", "", "operator family name (config key family)")
	fs.Uint64Var(&f.bandwidth, "bandwidth", 0, "advertised bandwidth in bytes/s (config key bandwidth)")
	fs.Uint64Var(&f.relayRate, "relay-rate", 0, "cap on bytes/s relayed for others, 0 = none (config key relay_rate)")
	fs.BoolVar(&f.loopbackDistinct, "loopback-distinct", false, "let loopback relays share paths; test networks only (config key loopback_distinct)")
	fs.BoolVar(&f.clientOnly, "client-only", false, "stealth client: no listening, no relaying, no DHT, fresh identity, talks only to its guards (config key client_only)")
	fs.BoolVar(&f.tor, "tor", false, "start the system tor for the [tor] options: onion services, guards through Tor (config key tor.enabled)")
	f.ledger.register(fs)
	fs.StringVar(&f.workerMode, "worker-mode", "", "worker mode: open or stealth (config key compute.mode)")
	fs.StringVar(&f.socks, "socks", "", "SOCKS5 proxy for .mesh names on a loopback HOST:PORT, or off (config key socks; default "+node.DefaultSocks+")")
}

// load reads the config file (if any) and applies the flags that were set.
func (f *nodeFlags) load(fs *flag.FlagSet) (node.Config, error) {
	cfg := node.Config{HSConfig: node.HSConfig{Socks: node.DefaultSocks}}
	path := f.config
	if path == "" && f.data != "" {
		if _, err := os.Stat(filepath.Join(f.data, "node.toml")); err == nil {
			path = filepath.Join(f.data, "node.toml")
		}
	}
	if path != "" {
		var err error
		if cfg, err = readConfig(path); err != nil {
			return cfg, err
		}
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "data":
			cfg.DataDir = f.data
		case "listen":
			cfg.Listen = f.listen
		case "bootstrap":
			cfg.Bootstrap = f.bootstrap
		case "role":
			cfg.Roles = f.roles
		case "api":
			cfg.API = f.api
		case "log-level":
			cfg.LogLevel = f.logLevel
		case "metrics":
			cfg.Metrics = f.metrics
		case "family":
			cfg.Family = f.family
		case "bandwidth":
			cfg.Bandwidth = f.bandwidth
		case "relay-rate":
			cfg.RelayRate = f.relayRate
		case "loopback-distinct":
			cfg.LoopbackDistinct = f.loopbackDistinct
		case "client-only":
			cfg.ClientOnly = f.clientOnly
		case "tor":
			cfg.Tor.Enabled = f.tor
		case "worker-mode":
			cfg.Compute.Mode = f.workerMode
		case "socks":
			cfg.Socks = f.socks
		}
	})
	f.ledger.apply(fs, &cfg.Ledger)
	if cfg.DataDir == "" {
		return cfg, errors.New("no data directory: give --data DIR or a --config file with a data key")
	}
	return cfg, nil
}

// readConfig decodes a node.toml strictly: an unknown key is an error
// naming the key, so a typo never silently falls back to a default.
func readConfig(path string) (node.Config, error) {
	text, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return node.Config{}, fmt.Errorf("config file %s does not exist", path)
	}
	if err != nil {
		return node.Config{}, fmt.Errorf("config file %s: %v", path, oneLine(err))
	}
	cfg, err := decodeConfig(text)
	if err != nil {
		return cfg, fmt.Errorf("config file %s: %v", path, oneLine(err))
	}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Dir(path)
	}
	return cfg, nil
}

// decodeConfig decodes node.toml text strictly: an unknown key, a value
// of the wrong type or out of range is an error naming the key.
func decodeConfig(text []byte) (node.Config, error) {
	var cfg node.Config
	md, err := toml.Decode(string(text), &cfg)
	if err != nil {
		return cfg, err
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return cfg, fmt.Errorf("unknown key %q", undec[0].String())
	}
	if !md.IsDefined("socks") {
		cfg.Socks = node.DefaultSocks // on unless the file says otherwise
	}
	return cfg, checkValues(text)
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// configTemplate is the node.toml `cyclecash init` writes: every key at its
// default, each with a comment.
var configTemplate = template.Must(template.New("node.toml").Funcs(template.FuncMap{
	"q": tomlString,
	"f": tomlFloat,
	"list": func(l []string) string {
		var b strings.Builder
		b.WriteString("[")
		for i, s := range l {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tomlString(s))
		}
		return b.String() + "]"
	},
}).Parse(`# cyclecash node configuration. Every key is shown at its default;
# a command-line flag of the same name wins over this file.

# Data directory: identity.key and onion_keys.json (secrets, 0600), guards, stores.
data = {{q .DataDir}}

# Multiaddrs to listen on (TCP and QUIC). Only these are bound.
listen = {{list .Listen}}

# Peers to join the network through: multiaddrs ending in /p2p/<peer ID>.
bootstrap = {{list .Bootstrap}}

# Roles this node plays: relay, gateway, market, worker. Every node relays.
roles = {{list .Roles}}

# Control API for 'cyclecash status' and the dashboard: "unix" (api.sock in
# the data directory), "unix:PATH", or a loopback HOST:PORT. Never public.
api = {{q .API}}

# Logging: debug, info, warn or error (to stderr).
log_level = {{q .LogLevel}}

# Prometheus metrics (the dashboard's figures) at http://HOST:PORT/metrics,
# on a loopback HOST:PORT such as "127.0.0.1:9100" only. Empty = none.
metrics = {{q .Metrics}}

# SOCKS5 proxy for .mesh names (hidden services) on a loopback HOST:PORT:
# set a browser's SOCKS5 proxy to it. Names other than .mesh are refused
# and never resolved. The default 127.0.0.1:9055 (not Tor's 9050) busy is
# a warning and no proxy; another address busy fails the start. "off" = none.
socks = {{q .Socks}}

# Relay bandwidth advertised in the descriptor, bytes per second.
bandwidth = {{.Bandwidth}}

# Operator family: relays of one family never share a circuit. Empty = none.
family = {{q .Family}}

# Cap on the bytes per second relayed for others; 0 = no cap. Every node
# relays: this can only lower its share.
relay_rate = {{.RelayRate}}

# libp2p resource manager memory budget (MiB) and connection high-water mark.
memory_mb = {{.MemoryMB}}
max_conns = {{.MaxConns}}

# Relay descriptor lifetime, and how often it is re-published before expiry.
descriptor_lifetime = {{q .DescriptorLifetime.String}}
republish_every = {{q .RepublishEvery.String}}

# How often the directory looks for new relays, and re-reads known ones.
gather_every = {{q .GatherEvery.String}}
refresh_every = {{q .RefreshEvery.String}}

# Treat loopback relays as distinct subnets. For test networks on 127.0.0.1 only.
loopback_distinct = {{.LoopbackDistinct}}

# Stealth client: listen nowhere, relay nothing, run no DHT, take a fresh
# identity at every start, and connect only to the bootstrap peers and then
# the entry guards (who serve the directory). Everything else via circuits.
# compute.mode = "stealth" implies it. A stealth node refuses to start with
# listen addresses (set listen = []), roles other than worker, relay_rate,
# or compute.mode = "open": each would make its address known.
client_only = {{.ClientOnly}}

# How long a primary entry guard that has carried circuits and is now down
# keeps this node from using its next one: circuits wait for it. "0s" = the
# default, a day for stealth nodes (each extra guard is one more chance of a
# hostile one) and none for others; a negative value turns it off.
guard_hold = {{q .GuardHold.String}}

# Network parameters: every node of one network must agree. Proof-of-work
# difficulty per relay identity, in leading zero bits (at most 40).
pow_bits = {{.PoWBits}}

# The relay directory admits at most max_entries relays, per_subnet per IPv4
# /16 (IPv6 /32) and per_family per declared family; when full, old relays
# seen reachable win over new ones.
[directory]
max_entries = {{.Directory.MaxEntries}}
per_subnet = {{.Directory.PerSubnet}}
per_family = {{.Directory.PerFamily}}

# The ledger of a gateway (role gateway): units sold and paid out as e-cash.
[ledger]
# Serve the Cashu HTTP API, which wallets use, on this HOST:PORT. Empty = none.
http = {{q .Ledger.HTTP}}
# Store: "bolt" (ledger.db in the data directory) or "postgres". Gateways may
# share one PostgreSQL database if each holds the same ledger.key (0600).
store = {{q .Ledger.Store}}
postgres = {{q .Ledger.Postgres}}
# Projected capacity of the next 30 days, in units (until compute measures it).
# Each day at most min(0.8*capacity/30, 0.8*capacity - outstanding) is issued;
# 0 issues nothing.
capacity = {{.Ledger.Capacity}}

# Compute: a worker's mode and limits (role worker), a gateway's scheduling.
[compute]
# Worker mode: "open" (direct connection to the gateway, paid in account
# credit) or "stealth" (every request through a 3-relay circuit under a
# fresh key, paid in tokens saved in DATA/wallet; implies client_only).
# "" = stealth when client_only, else open.
mode = {{q .Compute.Mode}}
# Tasks run at once, and the fraction of wall time spent computing (0-1].
concurrency = {{.Compute.Concurrency}}
cpu_share = {{f .Compute.CPUShare}}
# Pause while the 1-minute load average exceeds this; 0 = never yield.
yield_load = {{f .Compute.YieldLoad}}
# How long an idle worker waits before asking for work again.
poll = {{q .Compute.Poll.String}}
# Bytes each worker cache may hold (modules on disk, compiled code on disk,
# compiled modules in memory); least recently used first out.
cache_bytes = {{.Compute.CacheBytes}}
# Gateway: added to a task's timeout before a silent worker's replica is
# given to another worker.
lease_grace = {{q .Compute.LeaseGrace.String}}

# The Tor bridge (needs Debian's tor). enabled (or --tor) starts tor with its
# data directory DATA/tor and its log DATA/tor/tor.log, or attaches to a
# running tor's control port (loopback HOST:PORT; control_password, else its
# cookie). Onion service keys live in DATA/tor/onion (0600).
[tor]
enabled = {{.Tor.Enabled}}
binary = {{q .Tor.Binary}}
control = {{q .Tor.Control}}
control_password = {{q .Tor.ControlPassword}}
# 0s = 3 minutes.
bootstrap_timeout = {{q .Tor.BootstrapTimeout.String}}
# Stealth nodes: reach the bootstrap peers and entry guards through Tor, so
# the guard sees a Tor relay's address, never yours. fallback = true lets
# dials go direct when tor is gone (your guard then sees your address).
dial_guards = {{.Tor.DialGuards}}
fallback = {{.Tor.Fallback}}
# Relays: also accept mesh links on an onion service (virtual port
# onion_port, 0 = 4001) and list its /onion3 address in the descriptor.
onion_listen = {{.Tor.OnionListen}}
onion_port = {{.Tor.OnionPort}}
# Local services published as onion services, "NAME VIRTPORT -> 127.0.0.1:PORT":
# services = ["ledger 80 -> 127.0.0.1:3338"]
# Extra torrc lines (bridges; a private network's DirAuthority lines):
# torrc = ["UseBridges 1"]

# Role market (company B): the site on a loopback HOST:PORT only, published
# by a [[hidden_service]] below; store "bolt" (DATA/market.db, the default)
# or "postgres" with a DSN, for several front-ends on one database.
[market]
listen = {{q .Market.Listen}}
store = {{q .Market.Store}}
postgres = {{q .Market.Postgres}}
# 0s = every minute: escrow timeouts, swaps in flight replayed, claimed
# tokens erased.
sweep_every = {{q .Market.SweepEvery.String}}
# 0s = 14 days: an unconfirmed order is released to its seller.
escrow_timeout = {{q .Market.EscrowTimeout.String}}

# Hidden services this node hosts, each its own .mesh address (key in
# DATA/hs/NAME.key, 0600; print it with cyclecash hs address NAME). Ports
# map a virtual port to a loopback target, as Tor's HiddenServicePort:
# [[hidden_service]]
# name = "market"
# ports = ["80 127.0.0.1:8080"]
`))

// tomlString quotes s as a TOML basic string (Go's %q is not TOML: it
// writes \x00 and \a, which TOML rejects).
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlFloat writes f as a TOML float: always with a fraction or an
// exponent (a bare 1 is an integer to TOML), nan and inf as TOML spells them.
func tomlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

func renderConfig(cfg node.Config) ([]byte, error) {
	var b bytes.Buffer
	err := configTemplate.Execute(&b, cfg)
	return b.Bytes(), err
}
