// Package gateway is a gateway's work side: it schedules buyers' jobs on
// workers over the work protocol. It keeps the task queue (ComputeDBFile,
// or PostgreSQL beside a PostgreSQL ledger), worker sessions, the escrow
// of buyers' payment (reserve on submit, consume the accepted units at job
// end, change returned as a token), payouts (open workers credited,
// stealth workers' mint quotes paid), the recovery sweep and the measured
// capacity Ĉ the mint's issuance cap reads.
//
// Invariants: workers are recorded only under the IDs they register (an
// account key hash or a stealth session key hash), never an address or a
// peer ID; money moves crash-safely (the accepted-task record is the
// durable "payout owed", a settlement plan is saved before the escrow is
// consumed, and the sweep finishes whatever was recorded but not done);
// the same tokens never pay for two jobs.
package gateway
