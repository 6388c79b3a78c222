// Package worker is the compute worker role: it leases tasks from a
// gateway, runs each in a child process killed at its deadline, and
// reports the results. An open worker reaches the gateway over direct
// streams under a persistent account key (AccountKeyFile); a stealth
// worker only through circuits, under a key made fresh for each session,
// and is paid in blind-signed tokens kept in its wallet directory.
//
// Invariants: a stealth worker never dials directly and never reuses a
// session key across starts; a module is run only if its SHA-256 is the
// one leased; the worker knows nothing of the gateway's escrow or
// settlement (its imports stop at the work protocol).
package worker

// AccountKeyFile is the open worker's Ed25519 account key (0600) in the
// data directory. Its hash is the worker's account at every gateway.
const AccountKeyFile = "worker_account.key"
