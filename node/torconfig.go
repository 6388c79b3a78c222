package node

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TorConfig is the [tor] section: the Tor bridge of DESIGN.md section 8.
// Every key but enabled needs enabled (or --tor). The zero value is off.
type TorConfig struct {
	// Enabled starts the system tor (its data directory DATA/tor, its log
	// DATA/tor/tor.log), or attaches to Control.
	Enabled bool `toml:"enabled"`
	// Binary is the tor executable; "" looks on PATH and in /usr/sbin.
	Binary string `toml:"binary"`
	// Control (loopback host:port) attaches to a running tor instead of
	// starting one; ControlPassword authenticates, else its cookie.
	Control         string `toml:"control"`
	ControlPassword string `toml:"control_password"`
	// BootstrapTimeout bounds tor's bootstrap; 0 = 3 minutes.
	BootstrapTimeout time.Duration `toml:"bootstrap_timeout"`
	// DialGuards (stealth nodes only) carries every link, to the bootstrap
	// peers and then the entry guards, through Tor: the guard sees a Tor
	// relay's address, never this node's.
	DialGuards bool `toml:"dial_guards"`
	// Fallback lets dials go direct when tor is gone. Off: a stealth node
	// would give its address away.
	Fallback bool `toml:"fallback"`
	// OnionListen (relays) publishes the TCP listener as an onion service
	// on OnionPort (0 = 4001) and lists its /onion3 address in the
	// descriptor, so workers that reach the mesh only through Tor can link.
	OnionListen bool `toml:"onion_listen"`
	OnionPort   int  `toml:"onion_port"`
	// LedgerOnion (gateways started tor, not tor.control) publishes the
	// Cashu API as the onion service "cashu" on port 80, with each Tor
	// circuit its own quote rate-limit bucket (torledger.go). A ledger
	// listed in Services instead sees every Tor user as one loopback client.
	LedgerOnion bool `toml:"ledger_onion"`
	// Services are local services published as onion services, each
	// "NAME VIRTPORT -> 127.0.0.1:PORT" (say "ledger 80 -> 127.0.0.1:3338").
	Services []string `toml:"services"`
	// Torrc holds extra torrc lines for a started tor (bridges, a private
	// network's DirAuthority lines).
	Torrc []string `toml:"torrc"`
}

// OnionService is one parsed tor.services entry.
type OnionService struct {
	Name   string
	Port   int    // virtual port
	Target string // loopback host:port
}

// meshOnionName is the onion service name of OnionListen.
const meshOnionName = "mesh"

var onionNameRE = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// ParseOnionService parses "NAME VIRTPORT -> HOST:PORT"; HOST must be a
// loopback IP literal, so tor never proxies onward to other hosts.
func ParseOnionService(s string) (OnionService, error) {
	lhs, target, ok := strings.Cut(s, "->")
	f := strings.Fields(lhs)
	if !ok || len(f) != 2 {
		return OnionService{}, fmt.Errorf("node: config: tor.services: %q is not \"NAME VIRTPORT -> 127.0.0.1:PORT\"", s)
	}
	o := OnionService{Name: f[0], Target: strings.TrimSpace(target)}
	if !onionNameRE.MatchString(o.Name) || o.Name == meshOnionName {
		return o, fmt.Errorf("node: config: tor.services: name %q: want [a-z0-9-]{1,32}, not %q", o.Name, meshOnionName)
	}
	port, err := strconv.Atoi(f[1])
	if err != nil || port <= 0 || port > 65535 {
		return o, fmt.Errorf("node: config: tor.services: %s: bad virtual port %q", o.Name, f[1])
	}
	o.Port = port
	host, tport, err := net.SplitHostPort(o.Target)
	ip := net.ParseIP(host)
	if n, perr := strconv.Atoi(tport); err != nil || perr != nil || n <= 0 || n > 65535 || ip == nil || !ip.IsLoopback() {
		return o, fmt.Errorf("node: config: tor.services: %s: target must be a loopback IP:PORT", o.Name)
	}
	return o, nil
}

// check validates the section against the rest of the config (c has its
// defaults) and returns the parsed services.
func (t TorConfig) check(c Config) ([]OnionService, error) {
	const pre = "node: config: tor: "
	if !t.Enabled {
		if t.DialGuards || t.OnionListen || t.LedgerOnion || len(t.Services) > 0 || t.Control != "" || t.Binary != "" || len(t.Torrc) > 0 {
			return nil, errors.New(pre + "the [tor] keys need tor.enabled = true (or --tor)")
		}
		return nil, nil
	}
	switch {
	case t.DialGuards && !c.ClientOnly:
		return nil, errors.New(pre + "dial_guards is for stealth nodes (client_only): a listening node is known by its address anyway")
	case c.ClientOnly && (t.OnionListen || t.LedgerOnion || len(t.Services) > 0):
		return nil, errors.New(pre + "a stealth node publishes no onion service (onion_listen, ledger_onion, services)")
	case t.OnionPort < 0 || t.OnionPort > 65535:
		return nil, errors.New(pre + "onion_port must be 1-65535 (0 = 4001)")
	case t.LedgerOnion && !hasRole(c, "gateway"):
		return nil, errors.New(pre + "ledger_onion needs the gateway role (it serves the gateway's ledger)")
	case t.LedgerOnion && t.Control != "":
		return nil, errors.New(pre + "ledger_onion needs a tor of our own: tor's circuit ids are set in its configuration, which tor.control must not rewrite")
	case t.BootstrapTimeout < 0:
		return nil, errors.New(pre + "bootstrap_timeout must not be negative")
	}
	if t.Control != "" {
		host, _, err := net.SplitHostPort(t.Control)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, errors.New(pre + "control must be a loopback IP:PORT")
		}
	}
	for _, l := range t.Torrc {
		if strings.ContainsAny(l, "\r\n") {
			return nil, errors.New(pre + "a torrc line contains a newline")
		}
	}
	var out []OnionService
	seen := map[string]bool{}
	for _, s := range t.Services {
		o, err := ParseOnionService(s)
		if err != nil {
			return nil, err
		}
		if seen[o.Name] || (t.LedgerOnion && o.Name == ledgerOnionName) {
			return nil, fmt.Errorf(pre+"services: %s listed twice (ledger_onion takes %q)", o.Name, ledgerOnionName)
		}
		seen[o.Name] = true
		out = append(out, o)
	}
	return out, nil
}

func (t TorConfig) onionPort() int {
	if t.OnionPort == 0 {
		return 4001
	}
	return t.OnionPort
}

func hasRole(c Config, role string) bool {
	for _, r := range c.Roles {
		if strings.TrimSpace(r) == role {
			return true
		}
	}
	return false
}
