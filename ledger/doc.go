// Package ledger is cyclecash's unit of account: Chaumian e-cash on
// secp256k1 following the Cashu specifications (NUT-00 blind Diffie-Hellman
// key exchange, NUT-01/02 keysets, NUT-03 swap, NUT-04 mint, NUT-07 state
// check, NUT-09 restore, NUT-12 DLEQ proofs, NUT-20 quote locking), with
// the unit "cu". Every unexpired daily keyset is active; a swap's outputs
// may use any active keyset expiring no later than its earliest input, so
// a swap never extends a unit's life (see keysets.go).
//
// A hash pair is a Proof: its private part is the secret x together with the
// mint's signature C; its public part is Y = HashToCurve(x), which anyone may
// query for UNSPENT, PENDING or SPENT.
//
// Policy: this package is a sans-IO core. It imports nothing else from
// cyclecash, never dials, sleeps or logs, and touches no file: time comes from
// an injected clock and randomness from an injected io.Reader. Persistence is
// the Store interface defined here (MemStore is the in-memory fake beside
// it); the bbolt and PostgreSQL implementations live in subpackages, the HTTP
// API in mintapi and the client in wallet. Every Mint operation is one Store
// transaction, and a retried identical request returns the identical answer.
package ledger
