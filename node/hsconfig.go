package node

import (
	"errors"
	"fmt"
	"time"

	"cyclecash/node/hs"
)

// HSConfig is the hidden-service and SOCKS5 part of Config (embedded, so
// its keys sit at the top level of node.toml).
type HSConfig struct {
	// Socks is the SOCKS5 proxy's loopback address; empty (the zero value,
	// so in-process and test nodes run none) or "off" runs none. `.mesh`
	// names only, never a DNS lookup. Defaults, and so `init` and `run`,
	// set DefaultSocks: a busy default port is a notice (the node starts
	// without a proxy and status says "busy"), any other busy address an
	// error.
	Socks string `toml:"socks"`
	// HiddenServices are the `[[hidden_service]]` entries this node hosts.
	HiddenServices []hs.ServiceConfig `toml:"hidden_service"`
	// HSRepublishForTest shortens the descriptor republish timer.
	HSRepublishForTest time.Duration `toml:"-"`
}

// DefaultSocks is the SOCKS5 proxy's fixed loopback address when node.toml
// and the flags do not say otherwise. Port 9055, not Tor's 9050, so a node
// and a tor on one machine each get their own.
const DefaultSocks = "127.0.0.1:9055"

// ErrSocksBusy: the SOCKS5 address is held by another program.
var ErrSocksBusy = errors.New("node: socks: address in use by another program (set socks to another loopback port, or off)")

// SocksStatus is the SOCKS5 proxy's state in Status.
type SocksStatus struct {
	Addr string `json:"addr,omitempty"` // loopback HOST:PORT it listens on, or would
	// State is "listening", "off", or "busy": the default port was held by
	// another program, so this node runs no proxy.
	State string `json:"state"`
}

func (c HSConfig) socksAddr() string {
	if c.Socks == "off" {
		return ""
	}
	return c.Socks
}

// checkHS validates the section once, naming the key.
func (c HSConfig) checkHS() error {
	names := map[string]bool{}
	for _, s := range c.HiddenServices {
		if _, err := s.PortMap(); err != nil {
			return fmt.Errorf("node: hidden_service: %w", err)
		}
		if names[s.Name] {
			return fmt.Errorf("node: hidden_service: name %q twice", s.Name)
		}
		names[s.Name] = true
	}
	return nil
}

// HSStatus is one hosted hidden service as status shows it.
type HSStatus = hs.Status

// HSServiceConfig is one [[hidden_service]] entry.
type HSServiceConfig = hs.ServiceConfig

// HSAddress returns the `.mesh` address of the service cfg names under
// dataDir, creating its key if it does not exist yet (as the node would).
func HSAddress(dataDir string, cfg HSServiceConfig) (string, error) {
	return hs.AddressOf(dataDir, cfg)
}

// HSDefaultIntroPoints is how many introduction points a hidden service
// keeps when its entry does not say.
const HSDefaultIntroPoints = hs.DefaultIntroPoints
