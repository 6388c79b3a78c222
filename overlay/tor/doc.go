// Package tor is the Tor bridge of DESIGN.md section 8: it starts the
// system tor through cretz/bine (or attaches to a running tor's control
// port) and offers three things on top of it.
//
//   - Outbound: Tor.Dial and the libp2p Transport dial TCP addresses and
//     /onion3 multiaddrs through tor's SOCKS port, one circuit per
//     isolation key (a guard's peer ID), so the peer sees a Tor exit's
//     address and never ours.
//   - Inbound: Tor.Publish exposes a local TCP target as a v3 onion
//     service whose key lives 0600 in our data directory, so the .onion
//     address survives restarts.
//   - Bridging: a relay publishes its libp2p listener the same way, and a
//     worker dials it as /onion3/<id>:<port> through the Transport.
//   - Circuit IDs: PublishCircuits publishes a service whose connections
//     open with tor's PROXY header naming the client's circuit, and
//     ListenCircuits turns that into the remote address, so a per-client
//     limit tells onion clients apart (they all come from loopback).
//
// Later starts tor in the background and, when a tor it started dies,
// starts another in the same directory; dials fail meanwhile.
//
// Policy: the tor we start is a child we own (parent-death signal,
// __OwningControllerProcess and TAKEOWNERSHIP: it exits with us and with
// Close), its data directory is ours (0700) and its log goes to a file
// there, never to our stdout. Dials never fall back to a direct connection
// unless Config.Fallback says so, and never for .onion addresses. Errors
// and logs name no peer address; tor's own log may, and stays on disk.
package tor
