package node

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

// ComputeConfig configures the compute roles: a worker's mode and limits,
// and a gateway's scheduling. The zero value is a safe default: a worker
// in open mode (stealth when client_only) running one task at a time at
// full CPU share, never yielding.
type ComputeConfig struct {
	Mode        string  `toml:"mode"`        // worker: "open" or "stealth"; "" = stealth if client_only, else open
	Concurrency int     `toml:"concurrency"` // worker: tasks run at once
	CPUShare    float64 `toml:"cpu_share"`   // worker: fraction of wall time spent computing, (0, 1]
	YieldLoad   float64 `toml:"yield_load"`  // worker: pause while the 1-minute load average exceeds this; 0 = never
	// Poll is how long an idle worker waits before asking for work again.
	Poll time.Duration `toml:"poll"`
	// LeaseGrace is what a gateway adds to a task's timeout before it
	// re-dispatches a replica whose worker went silent.
	LeaseGrace time.Duration `toml:"lease_grace"`

	// Test hooks, never from a config file.

	// Tamper, when set, rewrites every result output before it is sent:
	// a cheating worker for tests.
	Tamper func([]byte) []byte `toml:"-"`
	// ChildPath, ChildArgs and ChildEnv override how a worker re-executes
	// itself to run a task (compute.ChildRunner); tests point them at the
	// test binary.
	ChildPath string   `toml:"-"`
	ChildArgs []string `toml:"-"`
	ChildEnv  []string `toml:"-"`
	// LoadAverage, when set, replaces reading /proc/loadavg for
	// yield_load: tests inject a busy or idle machine.
	LoadAverage func() (float64, error) `toml:"-"`
	// Observe, when set, receives how long each stage of a task took at
	// the worker ("lease", "run", "complete"): for benchmarks.
	Observe func(stage string, d time.Duration) `toml:"-"`
}

func computeDefaults() ComputeConfig {
	return ComputeConfig{Concurrency: 1, CPUShare: 1, Poll: 2 * time.Second, LeaseGrace: 30 * time.Second}
}

// withDefaults fills zero fields; a client-only node works in stealth mode.
func (c ComputeConfig) withDefaults(clientOnly bool) ComputeConfig {
	d := computeDefaults()
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
	return c
}

func (c ComputeConfig) validate(clientOnly bool) error {
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
	case c.Poll < 0 || c.LeaseGrace < 0:
		return fmt.Errorf("node: config: compute.poll and compute.lease_grace must not be negative")
	}
	return nil
}
