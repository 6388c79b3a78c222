package ledger

import "context"

// Store persists the ledger. Each Mint operation runs as exactly one Update
// (or View) call; implementations must make an Update atomic and durable,
// and may run fn more than once (on a serialization retry or a group-commit
// split), so fn keeps its results in variables it resets on entry.
type Store interface {
	// Update runs fn in a read-write transaction and commits it unless fn
	// returns an error, which is then returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx is the set of primitives a transaction offers. Absent records read
// as nil (or UNSPENT for proofs), never as an error.
type Tx interface {
	// Response returns the stored answer for an idempotency key, or nil.
	Response(key [32]byte) ([]byte, error)
	// PutResponse stores the answer for an idempotency key, given at the
	// Unix time at.
	PutResponse(key [32]byte, resp []byte, at int64) error
	// PruneResponses deletes up to limit answers given before the Unix
	// time before and returns how many it deleted.
	PruneResponses(before int64, limit int) (int, error)

	// Proofs returns the record for each Y; State is Unspent when absent.
	Proofs(ys []Point) ([]ProofRecord, error)
	// InsertProofs adds records (in ascending Y order, to keep concurrent
	// writers from deadlocking). If any Y exists already it fails with
	// ErrAlreadySpent or ErrPending, after the existing record's state.
	InsertProofs(recs []ProofRecord) error
	// UpdateProofs overwrites existing records (PENDING to SPENT).
	UpdateProofs(recs []ProofRecord) error
	// DeleteProofs removes records (PENDING back to UNSPENT).
	DeleteProofs(ys []Point) error

	// Signatures returns the stored signature for each B_, or nil.
	Signatures(bs []Point) ([]*BlindSignature, error)
	// InsertSignatures adds signatures keyed by B_; if any B_ was signed
	// before it fails with ErrOutputsSigned.
	InsertSignatures(outs []SignedOutput) error

	// Quote returns a mint quote, or nil.
	Quote(id string) (*Quote, error)
	// PutQuote inserts or replaces a mint quote.
	PutQuote(q Quote) error
	// ExpiredQuotes returns up to limit IDs of UNPAID quotes whose Expiry
	// is before the given Unix time.
	ExpiredQuotes(before int64, limit int) ([]string, error)
	// DeleteQuote removes a quote (absent is not an error).
	DeleteQuote(id string) error

	// Escrow returns an escrow, or nil.
	Escrow(id string) (*Escrow, error)
	// PutEscrow inserts or replaces an escrow.
	PutEscrow(e Escrow) error

	// Totals returns per keyset the amounts signed (issued) and spent.
	Totals() (map[KeysetID]KeysetTotals, error)
	// RollUp deletes up to limit proof and signature records of keyset
	// id and returns how many it deleted, leaving the keyset's Totals as
	// they were: an expired keyset is kept only as its totals.
	RollUp(id KeysetID, limit int) (int, error)
	// Minted returns the amount counted for a UTC day (the quotes paid
	// that day); negative day numbers hold the ledger's running counters.
	Minted(day int64) (uint64, error)
	// AddMinted adds to the amount counted for a day (or counter).
	AddMinted(day int64, amount uint64) error
}

// ProofRecord is the stored state of one input, keyed by Y.
type ProofRecord struct {
	Y      Point
	Keyset KeysetID
	Amount uint64
	State  State
	Escrow string // the reserving escrow while PENDING
}

// SignedOutput is a signature stored under its blinded message B_.
type SignedOutput struct {
	B   Point
	Sig BlindSignature
}

// KeysetTotals are a keyset's running sums; Spent ≤ Issued always.
type KeysetTotals struct {
	Issued uint64
	Spent  uint64
}

// EscrowState is the state of an escrow.
type EscrowState string

// Escrow states.
const (
	EscrowPending  EscrowState = "PENDING"
	EscrowConsumed EscrowState = "CONSUMED"
	EscrowReleased EscrowState = "RELEASED"
)

// Escrow reserves proofs for a compute job: PENDING until consumed (SPENT,
// change returned) or released (UNSPENT again).
type Escrow struct {
	ID     string
	Ys     []Point
	Amount uint64
	Keyset KeysetID // change outputs go to this keyset
	State  EscrowState
}
