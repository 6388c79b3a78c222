// Package onion is cyclecash's sans-IO onion routing core: the fixed-size
// cell format, the per-hop Noise handshakes, the layer crypto, the circuit
// and stream state machines of the client and relay roles, flow control and
// the learned circuit build timeout.
//
// Everything here turns bytes into bytes and decisions. A ClientCircuit takes
// cells and returns events plus cells to send; a Relay takes (link, cell)
// pairs and returns Actions (send this cell on that link, open a link to this
// identity, deliver these stream bytes). The IO layer (overlay) owns the
// links, the clock and the goroutines and executes those actions.
//
// Policy, deliberately:
//   - no network, no goroutines, no timers, no sleeps, no wall clock: time is
//     passed in as values, randomness as an io.Reader;
//   - no logging: errors are returned (sentinels in errors.go) and what a
//     caller counts or logs is its business;
//   - no peer addresses: neighbours are opaque LinkIDs and next hops opaque
//     identity bytes, so nothing here can leak where a peer is;
//   - no path selection, directory, guards or descriptor checks: the caller
//     hands in the hops (identity and onion key) it already verified;
//   - no per-layer AEAD: cells never change size on any hop (crypto.go);
//   - no locking: each Relay or ClientCircuit is driven by one goroutine.
//
// Layout: cell.go and relaycell.go are the wire formats, handshake.go and
// replay.go the per-hop key agreement, wideblock.go the wide-block
// primitive and crypto.go the layer built on it (with their rationale), circuit_client.go/client_*.go the client role,
// circuit_relay.go/relay_*.go the relay role, flow.go, consume.go and
// endpoint.go flow control (a stream's window follows what the application
// consumed), timeout.go the build timeout.
package onion
