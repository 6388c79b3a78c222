// Package market is the node's market role: company B's marketplace
// (package cyclecash/market) as a role service. It opens the market's
// store (bbolt in the data directory by default, PostgreSQL by config),
// reaches the gateway's mint only through circuits (like a buyer: the
// gateway learns neither the market's address nor its peer ID), serves the
// site on a loopback TCP listener ([market] listen; a .mesh hidden
// service maps its port 80 there) and offers the operator's commands on
// the control API (/v1/market/...), which `cyclecash market` calls.
//
// Invariants: the listener is loopback only (a public bind is refused at
// start); the operator secret of the web view lives in the data directory,
// 0600, written atomically; the market never dials the gateway directly.
package market
