// Package socks is the node's local SOCKS5 proxy (RFC 1928, with RFC 1929
// username/password), the way an ordinary browser reaches `<address>.mesh`
// hidden services.
//
// Policy: CONNECT to a domain name ending in ".mesh", and nothing else. Any
// other name is refused with reply 0x02 (not allowed by ruleset) and never
// resolved; IP literals are refused the same way, since the mesh has no exit
// to the public internet; BIND and UDP ASSOCIATE get 0x07. The package
// performs no DNS lookup ever: it takes no resolver, and the names it
// accepts go only to the dial function the node hands it. It listens only on
// loopback addresses. A username and password, when a client sends them,
// are never checked: they only select an isolation key (as Tor's
// IsolateSOCKSAuth) that the dial function finds in its context, so streams
// with different credentials never share a circuit.
//
// The package imports nothing of ours: no node, no overlay, no libp2p.
package socks
