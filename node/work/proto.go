package work

import (
	"strconv"
	"time"

	"cyclecash/compute"
)

// The work protocol: HTTP/1.1 carried over one stream, the same handler at
// the gateway whichever way the stream arrived.
//
//   - open workers: a direct libp2p stream, protocol Protocol;
//   - stealth workers and buyers: a circuit stream to the gateway's onion
//     service Service. The circuit's layers are end-to-end between the
//     client and the gateway (the gateway is the circuit's last hop), so
//     modules, inputs, results and payment messages are encrypted from
//     the client to the gateway and no relay reads them; the gateway sees
//     only the last relay as the peer.
//
// Bodies are JSON; []byte fields are base64. Endpoints (all under
// Prefix):
//
//	POST jobs                 SubmitRequest -> SubmitAnswer        (buyer)
//	GET  jobs/{id}            -> JobStatus                         (buyer, job secret)
//	GET  jobs/{id}/results    -> JobResults                        (buyer, job secret)
//	POST jobs/{id}/cancel     -> JobStatus                         (buyer, job secret)
//	POST register             RegisterRequest -> RegisterAnswer    (worker)
//	POST lease                -> LeaseAnswer, or 204 when idle     (worker, bearer)
//	GET  modules/{sha256}     -> instrumented module bytes          (worker)
//	POST complete             CompleteRequest -> CompleteAnswer    (worker, bearer)
//	GET  account              -> Account                           (worker, bearer)
//	POST offer                OfferRequest -> Account              (stealth worker, bearer)
//	/ledger/...               the gateway's Cashu API (mintapi)    (stealth wallets)
const (
	// Protocol is the libp2p protocol open workers use.
	Protocol = "/cyclecash/work/1"
	// Service is the onion service name stealth workers and buyers dial.
	Service    = "work"
	Prefix     = "/work/1/"
	LedgerPath = "/ledger"
	// MaxBody bounds a request body: a manifest with its module and
	// payment tokens.
	MaxBody = compute.MaxManifestSize + 16<<20
	// RegisterSkew is how far a registration's timestamp may be from the
	// gateway's clock.
	RegisterSkew = 5 * time.Minute
	// registerContext is signed by a registering worker's key.
	registerContext = "cyclecash work register v1\x00"
)

// RegisterMessage is what a registering worker signs.
func RegisterMessage(mode string, t int64) []byte {
	return []byte(registerContext + mode + "\x00" + strconv.FormatInt(t, 10))
}

// SubmitRequest is what a buyer sends: the manifest (with inputs), the
// module it names, and tokens covering Manifest.Budget().
type SubmitRequest struct {
	Manifest compute.Manifest `json:"manifest"`
	Module   []byte           `json:"module"`
	Tokens   []string         `json:"tokens"`
}

// SubmitAnswer names the job the gateway queued and its secret: the
// bearer token of the job's status, results and cancel requests. Only the
// buyer is told it; the change token is released once, to its holder.
type SubmitAnswer struct {
	Job    string `json:"job"`
	Secret string `json:"secret"`
}

// JobStatus is a job's progress and money as the gateway reports it.
type JobStatus struct {
	ID       string `json:"id"`
	State    string `json:"state"` // running, done, expired, cancelled
	Tasks    int    `json:"tasks"`
	Accepted int    `json:"accepted"`
	Failed   int    `json:"failed"`
	Reserved uint64 `json:"reserved"` // units held in escrow
	Used     uint64 `json:"used"`     // units of accepted tasks: what is spent
	Settled  bool   `json:"settled"`  // escrow consumed or released
	Change   string `json:"change,omitempty"`
}

// TaskResult is one task's outcome.
type TaskResult struct {
	Index  int    `json:"index"`
	State  string `json:"state"` // open, accepted, failed
	Status string `json:"status,omitempty"`
	Output []byte `json:"output,omitempty"`
	Units  uint64 `json:"units"`
}

// JobResults is a job's status with every task's outcome.
type JobResults struct {
	JobStatus
	Results []TaskResult `json:"results"`
}

// RegisterRequest opens a worker session: Key is an Ed25519 public key,
// Sig its signature over registerContext ‖ mode ‖ 0 ‖ decimal Time.
type RegisterRequest struct {
	Mode string `json:"mode"`
	Key  []byte `json:"key"`
	Time int64  `json:"time"`
	Sig  []byte `json:"sig"`
}

// RegisterAnswer opens a session.
type RegisterAnswer struct {
	Worker string `json:"worker"` // the ID results are recorded under
	Token  string `json:"token"`  // bearer token for this session
}

// LeaseAnswer is one replica of a task to run.
type LeaseAnswer struct {
	Lease        compute.Lease `json:"lease"`
	Module       compute.Hash  `json:"module"` // SHA-256 of the instrumented module
	Input        []byte        `json:"input"`
	Fuel         int64         `json:"fuel"`
	UnitsPerTask uint64        `json:"units_per_task"`
	Seed         [32]byte      `json:"seed"`
	TimeoutMS    int64         `json:"timeout_ms"`
}

// CompleteRequest reports a result. Quote is optional: the gateway keeps
// it as an offer, paid once the worker's credit covers it. The worker of
// this module sends none: it claims its credit (each accepted task's
// share, compute.Payouts) with an OfferRequest instead.
type CompleteRequest struct {
	Lease    compute.Lease `json:"lease"`
	Status   uint8         `json:"status"`
	ExitCode uint32        `json:"exit_code"`
	Output   []byte        `json:"output"`
	Fuel     int64         `json:"fuel"`
	Quote    string        `json:"quote,omitempty"`
}

// CompleteAnswer is the task's state after the report.
type CompleteAnswer struct {
	State string `json:"state"`
}

// Account is what a worker session has earned.
type Account struct {
	Worker string   `json:"worker"`
	Credit uint64   `json:"credit"` // units credited (shares of accepted tasks), stealth: not yet paid in a quote
	Paid   []string `json:"paid"`   // stealth workers: quotes paid, ready to mint
}

// OfferRequest is a stealth worker claiming its credit: the ID of a mint
// quote it created (through its circuit) for at most its Credit. The
// gateway pays it at once and debits the credit, or refuses it
// (ErrPayment) and the worker forgets the quote.
type OfferRequest struct {
	Quote string `json:"quote"`
}

// Week is one UTC week (from Monday 00:00) of an open worker's account.
type Week struct {
	Week   string `json:"week"`   // the Monday, YYYY-MM-DD
	Tasks  int    `json:"tasks"`  // accepted tasks it was paid a share of
	Earned uint64 `json:"earned"` // units credited
	Clawed uint64 `json:"clawed"` // units taken back for results revoked later
	Paid   uint64 `json:"paid"`   // units the operator paid out in cash
}

// Statement is an open worker's account by week: Owed is its credit, what
// the operator has yet to pay.
type Statement struct {
	Worker string `json:"worker"`
	Owed   uint64 `json:"owed"`
	Weeks  []Week `json:"weeks"` // oldest first
}

// CashPayout is an operator's record of paying a worker in cash: ID names
// the payment (a bank reference), so recording it twice pays once.
type CashPayout struct {
	ID     string `json:"id"`
	Worker string `json:"worker"`
	Units  uint64 `json:"units"`
}
