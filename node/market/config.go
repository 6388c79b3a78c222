package market

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Store kinds of [market] store.
const (
	StoreBolt     = "bolt"
	StorePostgres = "postgres"
)

// Config is the config table [market].
type Config struct {
	// Listen is the loopback host:port the site is served on
	// ("127.0.0.1:8080"), or "off" for none: a [[hidden_service]] port
	// "80 role:market" serves the site in process either way.
	Listen string `toml:"listen"`
	// Store is bolt (market.db in the data directory; the default) or
	// postgres (Postgres, shared by several market front-ends).
	Store    string `toml:"store"`
	Postgres string `toml:"postgres"`
	// SweepEvery is how often escrows time out, swaps in flight are
	// replayed and claimed tokens are erased; 0 = 1 minute.
	SweepEvery time.Duration `toml:"sweep_every"`
	// EscrowTimeout releases an unconfirmed order; 0 = 14 days.
	EscrowTimeout time.Duration `toml:"escrow_timeout"`
}

// ListenOff as Listen binds no loopback port.
const ListenOff = "off"

// DefaultListen is the listen address when [market] gives none.
const DefaultListen = "127.0.0.1:8080"

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Store == "" {
		c.Store = StoreBolt
	}
	if c.SweepEvery == 0 {
		c.SweepEvery = time.Minute
	}
	return c
}

// Validate checks the table; each message names the key at fault.
func (c Config) Validate() error {
	if c.Listen != ListenOff {
		if err := checkLoopback(c.Listen); err != nil {
			return err
		}
	}
	switch {
	case c.Store != StoreBolt && c.Store != StorePostgres:
		return fmt.Errorf("%w: market.store: %q is neither bolt nor postgres", ErrConfig, c.Store)
	case c.Store == StorePostgres && c.Postgres == "":
		return fmt.Errorf("%w: market.postgres: required with store = postgres", ErrConfig)
	case c.SweepEvery < 0 || c.EscrowTimeout < 0:
		return fmt.Errorf("%w: market.sweep_every and market.escrow_timeout must not be negative", ErrConfig)
	}
	return nil
}

// checkLoopback accepts only a literal loopback IP with a port.
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%w: market.listen: not host:port", ErrConfig)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return ErrNotLoopback
	}
	return nil
}
