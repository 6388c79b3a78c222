// Package service is the seam between a node and its role services (the
// mint, the gateway's work side, the worker, the buyer, the probe, the
// dashboard, and the ones later issues add).
//
// A role service is built by its package's constructor from its own
// configuration and a Host, and then only Run and Close are called. The
// Host is everything a service sees of the node: circuits and direct
// streams as net.Conn (never a libp2p type, never a peer address), the
// control API's mux, a logger, a data directory, and a place to report the
// figures the dashboard and metrics show. A service never sees another
// service's state except through the figures it reports, or through a
// constructor argument node wires on purpose.
//
// Package servicetest holds an in-memory Host for tests.
package service
