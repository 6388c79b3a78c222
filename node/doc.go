// Package node is the composition root of a cyclecash node: New(cfg) loads
// the keys in the data directory, builds the overlay and the services the
// configured roles need, Run serves until its context ends, Close releases
// everything.
//
// Policy: node holds no protocol logic of its own; it wires the packages
// below it and adapts them to each other. It owns the data directory's
// layout (identity.key, onion_keys.json, guards.json, api.addr; secrets
// 0600, written atomically) and the local control API, which listens only
// on a unix socket or a loopback address and never on a network.
package node
