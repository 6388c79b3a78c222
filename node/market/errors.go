package market

import "errors"

// Sentinel errors.
var (
	// ErrNoMarket is returned by operator calls to a node without role market.
	ErrNoMarket = errors.New("node: market: this node has no role market")
	// ErrNotLoopback refuses a [market] listen address off loopback.
	ErrNotLoopback = errors.New("node: market: listen must be a loopback address (127.0.0.1:PORT or [::1]:PORT)")
	// ErrConfig is a bad [market] table.
	ErrConfig = errors.New("node: market: config")
)
