package node

import (
	"errors"
	"fmt"

	"cyclecash/node/work"
	"cyclecash/overlay"
)

// checkStealth refuses a stealth configuration that would give the node
// away: anything that listens, relays, runs the DHT, serves a gateway or
// market, or works in open mode makes its address known to others, so a
// stealth node does none of it (DESIGN.md section 9). c has its defaults.
func (c Config) checkStealth(p parsed) error {
	if !c.ClientOnly {
		return nil
	}
	const pre = "node: config: stealth mode (client_only or compute.mode stealth) "
	switch {
	case len(c.Listen) > 0:
		return errors.New(pre + "conflicts with listen: a stealth node listens nowhere; remove the listen addresses")
	case p.roles&overlay.RoleRelay != 0:
		return errors.New(pre + "conflicts with roles: relay: a stealth node relays nothing (so it runs no DHT)")
	case p.roles&(overlay.RoleGateway|overlay.RoleMarket) != 0:
		return errors.New(pre + "conflicts with roles: gateway and market serve others; a stealth node can only be a worker")
	case p.roles&^overlay.RoleWorker != 0:
		return errors.New(pre + "conflicts with roles: a stealth node can only be a worker")
	case c.RelayRate != 0:
		return errors.New(pre + "conflicts with relay_rate: a stealth node relays nothing")
	case c.Compute.Mode == work.WorkerOpen:
		return errors.New(pre + "conflicts with compute.mode open: open work connects to the gateway directly")
	}
	return nil
}

// checkNetwork bounds the network parameters.
func (c Config) checkNetwork() error {
	switch {
	case c.PoWBits > overlay.MaxPoWBits:
		return fmt.Errorf("node: config: pow_bits: %d, want at most %d", c.PoWBits, overlay.MaxPoWBits)
	case c.Directory.MaxEntries < 0 || c.Directory.PerSubnet < 0 || c.Directory.PerFamily < 0:
		return errors.New("node: config: directory: max_entries, per_subnet and per_family must not be negative")
	}
	return nil
}

// directoryPolicy is the overlay's form of the directory parameters.
func (c Config) directoryPolicy() overlay.DirectoryPolicy {
	return overlay.DirectoryPolicy{MaxEntries: c.Directory.MaxEntries,
		PerSubnet: c.Directory.PerSubnet, PerFamily: c.Directory.PerFamily}
}
