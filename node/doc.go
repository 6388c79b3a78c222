// Package node is the composition root of a cyclecash node: New(cfg) loads
// the keys in the data directory, builds the overlay, the onion layer and
// the role services the configured roles need (each a package under node/,
// seeing the node only through service.Host), Run serves until its context
// ends, Close releases everything in reverse.
//
// Policy: node holds no protocol logic of its own; it reads the config,
// wires the packages below it (the two cross-links between the gateway and
// the mint are constructor arguments) and adapts overlay circuits and
// direct streams for the services. Adding a service is one package and one
// line in buildServices; Run and Close take the services from one list. It
// owns the data directory's layout (identity.key, onion_keys.json,
// guards.json, vanguards.json, api.sock, api.addr, api.token; secrets 0600,
// written atomically) and the local control API, which listens only on a
// unix socket or a loopback address and never on a network; its refusals
// carry codes that the client decodes back into sentinels.
package node
