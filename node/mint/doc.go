// Package mint is a gateway's ledger as a role service: a ledger.Mint over
// the configured store (bbolt in the data directory, or PostgreSQL), its
// master secret (KeyFile, 0600), the Cashu HTTP API on ledger.http, the
// operator's endpoints on the control API, and the supply report.
//
// Invariants: the master secret is never invented by an operator tool
// (Open without create refuses a missing one); a bbolt ledger has one
// opener, and a second is told why; Ĉ comes from the gateway's measured
// capacity, passed in by node, never read from the gateway's state.
package mint
