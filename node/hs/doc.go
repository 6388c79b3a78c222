// Package hs is the node's hidden-service role: it hosts the
// `[[hidden_service]]` entries of node.toml (each a name, an identity key
// file under the data directory, and port mappings virtual port → a
// loopback TCP target or unix socket, like Tor's HiddenServicePort, or a
// role of this node served in process through a Listener) and dials `.mesh`
// addresses for the SOCKS5 proxy. The protocol is onion/hs's; this package
// drives it over circuits the node builds through the Net interface.
//
// Service side: introduction points on three relays (circuits kept open,
// rebuilt when they die), descriptors published through circuits to a
// relay's directory front under every replica index and republished on a
// timer, INTRODUCE2s queued by proof of work and answered best first by a
// few circuits at a time to the client's rendezvous point, each joined
// circuit a session whose streams are proxied to the mapped targets.
// Client side: descriptor fetched through a circuit (and cached), a
// rendezvous circuit, an introduction through another circuit, then a
// session per address and isolation group with one end-to-end stream per
// connection.
//
// Policy: the node's own DHT is never asked for a descriptor; targets are
// loopback only; no address of a peer appears in a log line or error. A
// fixed end-to-end window per stream instead of congestion control. Deliberately absent: client
// authorization.
package hs
