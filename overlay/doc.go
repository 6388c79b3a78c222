// Package overlay is the network side of a cyclecash node: the libp2p host,
// the Kademlia relay directory of signed descriptors, path selection with
// persistent entry guards, and onion routing's IO side (Onion): one link
// stream per neighbour carrying fixed-size cells (link.go), the relay every
// node runs (relay.go), client circuits (circuit.go, build.go), net.Conn
// streams (stream.go) and the services a gateway serves (service.go).
//
// Policy: overlay owns every socket. It binds only the listen addresses it is
// given (never a bare libp2p.New), registers no global metrics, and logs only
// through the *slog.Logger it is handed. It never writes a peer's network
// address into an error or a log line at any level (libp2p errors pass
// through scrub). Descriptors are verified before they enter any cache: a
// forged, expired, oversized, replayed, name-addressed or work-less
// descriptor is rejected with a reason and leaves the directory unchanged.
// No relay is judged by what another relay says about it: failures blame
// the circuit, and for path bias its guard.
package overlay
