package work

import (
	"fmt"
	"time"
)

// Worker modes (config key compute.mode).
const (
	// WorkerOpen reaches a gateway over a direct libp2p stream and is paid
	// in account credit recorded at the gateway under its account key.
	WorkerOpen = "open"
	// WorkerStealth sends every request through a 3-relay circuit under a
	// fresh per-session key and is paid in blind-signed tokens.
	WorkerStealth = "stealth"
)

// Config is the [compute] section of node.toml: it configures the compute roles: a worker's mode and limits,
// and a gateway's scheduling. The zero value is a safe default: a worker
// in open mode (stealth when client_only) running one task at a time at
// full CPU share, never yielding.
type Config struct {
	Mode        string  `toml:"mode"`        // worker: "open" or "stealth"; "" = stealth if client_only, else open
	Concurrency int     `toml:"concurrency"` // worker: tasks run at once
	CPUShare    float64 `toml:"cpu_share"`   // worker: fraction of wall time spent computing, (0, 1]
	YieldLoad   float64 `toml:"yield_load"`  // worker: pause while the 1-minute load average exceeds this; 0 = never
	// Poll is how long an idle worker waits before asking for work again.
	Poll time.Duration `toml:"poll"`
	// LeaseGrace is what a gateway adds to a task's timeout before it
	// re-dispatches a replica whose worker went silent.
	LeaseGrace time.Duration `toml:"lease_grace"`
	// CacheBytes bounds each of a worker's module caches: the modules on
	// disk, wazero's compiled code on disk, and the compiled modules in
	// memory; the least recently used go first.
	CacheBytes int64 `toml:"cache_bytes"`
}

// DefaultCacheBytes bounds each worker cache when compute.cache_bytes is
// unset (0).
const DefaultCacheBytes = 256 << 20

// Defaults is the [compute] section a fresh node.toml holds.
func Defaults() Config {
	return Config{Concurrency: 1, CPUShare: 1, Poll: 2 * time.Second, LeaseGrace: 30 * time.Second}
}

// WithDefaults fills zero fields; a client-only node works in stealth mode.
func (c Config) WithDefaults(clientOnly bool) Config {
	d := Defaults()
	if c.Mode == "" {
		c.Mode = WorkerOpen
		if clientOnly {
			c.Mode = WorkerStealth
		}
	}
	c.Concurrency = or(c.Concurrency, d.Concurrency)
	c.CPUShare = or(c.CPUShare, d.CPUShare)
	c.Poll = or(c.Poll, d.Poll)
	c.LeaseGrace = or(c.LeaseGrace, d.LeaseGrace)
	c.CacheBytes = or(c.CacheBytes, DefaultCacheBytes)
	return c
}

// Validate checks the section once; each message names the key at fault.
func (c Config) Validate(clientOnly bool) error {
	switch {
	case clientOnly && c.Mode == WorkerOpen:
		return fmt.Errorf("node: config: compute.mode: a client_only node works in %q mode only", WorkerStealth)
	case c.Mode != "" && c.Mode != WorkerOpen && c.Mode != WorkerStealth:
		return fmt.Errorf("node: config: compute.mode: %q is not %q or %q", c.Mode, WorkerOpen, WorkerStealth)
	case c.Concurrency < 0 || c.Concurrency > 256:
		return fmt.Errorf("node: config: compute.concurrency: %d, want 1..256", c.Concurrency)
	case c.CPUShare < 0 || c.CPUShare > 1:
		return fmt.Errorf("node: config: compute.cpu_share: %v, want a fraction in (0, 1]", c.CPUShare)
	case c.YieldLoad < 0:
		return fmt.Errorf("node: config: compute.yield_load: %v is negative", c.YieldLoad)
	case c.CacheBytes < 0:
		return fmt.Errorf("node: config: compute.cache_bytes: %d is negative", c.CacheBytes)
	case c.Poll < 0 || c.LeaseGrace < 0:
		return fmt.Errorf("node: config: compute.poll and compute.lease_grace must not be negative")
	}
	return nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
