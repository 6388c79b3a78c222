// Package metrics exports a node's figures (the ones its services report
// through service.Host.Report, and the dashboard renders) as Prometheus
// metrics, on an opt-in loopback address (node.toml key metrics, flag
// --metrics).
//
// Invariants: it uses its own prometheus.Registry, never the global
// default one, so nothing else in the process (libp2p registers its own
// collectors there) is exported; its collector reads the figures at each
// scrape and keeps no state; it listens only on a loopback address and
// refuses any other; no metric, label or help names a network address.
package metrics
