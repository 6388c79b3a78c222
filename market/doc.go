// Package market is company B's marketplace: an eBay-like site paid in
// units of the gateway's e-cash, served as one http.Handler over its own
// Store, and the cash-out agent that turns units into cash and back.
//
// Accounts are anonymous: a random secret shown once (and the same secret
// as a recovery phrase), of which only a hash is stored. Buyers pay with a
// cashuB token: the market checks its DLEQ proofs offline, then swaps the
// proofs at the gateway's mint to claim them; the order exists only after
// that swap succeeded. The swap request, with the blinded outputs and their
// secrets, is persisted before the mint is called, so a market killed
// between the swap and its commit replays the identical request on restart
// (the mint answers identical swaps idempotently) and loses nothing; the
// host runs Sweep (or Run) at start and periodically, which replays claims
// older than Config.ClaimGrace and releases timed-out escrows. Units stay
// in escrow until the buyer confirms or a timeout passes; disputes go to
// the operator (Operator, the API the operator view and a CLI share).
//
// Policy: pages are server-rendered html/template with an embedded style
// sheet and no scripts (the Content-Security-Policy forbids them); every
// POST carries a CSRF token; bodies are size-limited; account creation,
// login and token submission are rate limited. The market never sees, logs
// or stores a visitor's network address. It depends on the ledger for
// token types only (the ledger_*.go files) and reaches the mint through
// the Mint interface. It does not log and does not listen: the caller
// mounts it.
package market
