package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Values the TOML decoder accepts but no node can use: a negative number
// for a count, a rate or a size (decoded into an unsigned field it would
// wrap around to a huge one), and a negative duration. Each is refused in
// one line naming the key.

// nonNegative are the numeric keys that must be ≥ 0.
var nonNegative = []string{"bandwidth", "relay_rate", "pow_bits", "memory_mb", "max_conns",
	"directory.max_entries", "directory.per_subnet", "directory.per_family",
	"ledger.capacity", "compute.concurrency"}

// durations are the duration keys, which must not be negative.
var durations = []string{"descriptor_lifetime", "republish_every", "gather_every", "refresh_every",
	"compute.poll", "compute.lease_grace"}

// checkValues looks at the file's raw values for what the decoder let
// through; text decoded without error as a node.Config.
func checkValues(text []byte) error {
	var raw map[string]any
	if _, err := toml.Decode(string(text), &raw); err != nil {
		return err
	}
	for _, k := range nonNegative {
		if v, ok := lookupKey(raw, k).(int64); ok && v < 0 {
			return fmt.Errorf("%s: %d is negative, want 0 or more", k, v)
		}
	}
	for _, k := range durations {
		if s, ok := lookupKey(raw, k).(string); ok {
			if d, err := time.ParseDuration(s); err == nil && d < 0 {
				return fmt.Errorf("%s: %q is negative, want a duration such as \"30s\"", k, s)
			}
		}
	}
	return nil
}

// lookupKey finds "table.key" in a decoded TOML document; nil if absent.
func lookupKey(m map[string]any, key string) any {
	table, k, ok := strings.Cut(key, ".")
	if !ok {
		return m[key]
	}
	sub, _ := m[table].(map[string]any)
	return sub[k]
}
