package service

import "time"

// The figures services report (Host.Report) and the dashboard renders. A
// figure is a plain value: it names no network address, and reading it
// touches no other service's state.

// Names under which figures are reported.
const (
	FiguresNode    = "node"    // NodeFigures, reported by node itself
	FiguresGateway = "gateway" // GatewayFigures
	FiguresWorker  = "worker"  // WorkerFigures
)

// NodeFigures are the node's own view of itself and its onion traffic.
type NodeFigures struct {
	Peer      string
	Roles     []string
	Uptime    string
	Directory int
	Guards    []Guard
	Circuits  []Circuit
	// Relaying counts the circuits of others passing through or ending
	// here; RelayedBytes the cell bytes relayed for them since start.
	Relaying     int
	RelayedBytes uint64
}

// Circuit is one open client circuit: how long, how old, how much it
// carried. It never names the relays.
type Circuit struct {
	Hops     int    `json:"hops"`
	Age      string `json:"age"`
	Streams  int    `json:"streams"`
	Sent     uint64 `json:"sent_bytes"`
	Received uint64 `json:"received_bytes"`
}

// Guard is one primary entry guard, by peer ID.
type Guard struct {
	Peer        string    `json:"peer"`
	Expires     time.Time `json:"expires"`
	InDirectory bool      `json:"in_directory"`
}

// GatewayFigures are a gateway's jobs and the work it accepted.
type GatewayFigures struct {
	Jobs          int    `json:"jobs"`
	Tasks         int    `json:"tasks"`
	TasksAccepted int    `json:"tasks_accepted"`
	UnitsAccepted uint64 `json:"units_accepted"` // what buyers were charged
	// Workers are the live sessions by mode; Escrow the payment held.
	Workers WorkerSessions `json:"workers"`
	Escrow  Escrow         `json:"escrow"`
}

// WorkerFigures are a worker's tasks and earnings. Credit comes from the
// gateway (open mode); Balance is the wallet (stealth mode).
type WorkerFigures struct {
	Mode     string `json:"mode"`
	Reported int64  `json:"tasks_reported"` // tasks run and reported since start
	Credit   uint64 `json:"credit"`
	Paid     int    `json:"paid_quotes"`
	Balance  uint64 `json:"wallet_balance"`
	Pending  int    `json:"wallet_pending"`
	// Earned counts units earned since start: credit (open mode) or
	// units minted into the wallet (stealth mode).
	Earned uint64 `json:"earned"`
	// Wallet is the wallet's balance by keyset expiry, soonest first.
	Wallet []ExpiryUnits `json:"wallet_by_expiry,omitempty"`
	Err    string        `json:"error,omitempty"` // the gateway could not be asked
}

// More names under which figures are reported.
const (
	FiguresLedger = "ledger" // LedgerFigures, reported by a gateway's mint
	FiguresRelay  = "relay"  // RelayFigures, reported by a node that relays
	FiguresMarket = "market" // MarketFigures, reported by the market service
)

// WorkerSessions counts a gateway's live worker sessions by mode.
type WorkerSessions struct {
	Open    int `json:"open"`
	Stealth int `json:"stealth"`
}

// Escrow is the buyers' payment a gateway holds for jobs not yet settled.
type Escrow struct {
	Jobs  int    `json:"jobs"`
	Units uint64 `json:"units"`
}

// LedgerFigures are a gateway's supply (DESIGN.md §5): the cap now and,
// per issue day, what was issued and what is still outstanding.
type LedgerFigures struct {
	Capacity    uint64      `json:"capacity"`  // Ĉ
	DailyCap    uint64      `json:"daily_cap"` // today's issuance cap
	TotalCap    uint64      `json:"total_cap"`
	MintedToday uint64      `json:"minted_today"`
	Outstanding uint64      `json:"outstanding"`
	Days        []LedgerDay `json:"days"` // oldest first
}

// LedgerDay is one keyset: the units issued on its day, and the units
// outstanding until it expires.
type LedgerDay struct {
	Day         time.Time `json:"day"`     // UTC midnight of the issue day
	Expires     time.Time `json:"expires"` // the keyset's final expiry
	Issued      uint64    `json:"issued"`
	Spent       uint64    `json:"spent"`
	Outstanding uint64    `json:"outstanding"`
	Expired     bool      `json:"expired"`
}

// ExpiryUnits is an amount of units that expire at one time.
type ExpiryUnits struct {
	Expires time.Time `json:"expires"`
	Units   uint64    `json:"units"`
}

// RelayFigures are a relaying node's counters: the cells and circuits it
// carries for others, and what its defences refused. Counters are
// cumulative since start (the dashboard plots their rate, metrics export
// them as counters); Gauges are levels now (queue lengths). Adding a
// figure is one line in the reporter: a Counter or a Gauge with its name.
type RelayFigures struct {
	Circuits int       `json:"circuits"` // circuits of others through or ending here
	Cells    uint64    `json:"cells"`    // cells relayed for others
	Bytes    uint64    `json:"bytes"`    // their bytes
	Counters []Counter `json:"counters"`
	Gauges   []Counter `json:"gauges"`
}

// Counter is one named figure. Name is lower_snake_case (it becomes a
// metric name); Help says what it counts in a few words.
type Counter struct {
	Name  string `json:"name"`
	Help  string `json:"help"`
	Value uint64 `json:"value"`
}

// MarketFigures are a market's books: orders, escrow and the cash-out
// queue. Counts named Total are cumulative since the market opened.
type MarketFigures struct {
	OrdersTotal   uint64         `json:"orders_total"`    // orders ever placed
	Orders        map[string]int `json:"orders"`          // orders now, by state
	InEscrow      uint64         `json:"in_escrow"`       // units in escrow or disputed
	CashOutQueue  int            `json:"cash_out_queue"`  // sell-for-cash requests awaiting the operator
	CashOutUnits  uint64         `json:"cash_out_units"`  // their units
	CashInQueue   int            `json:"cash_in_queue"`   // buy-for-cash requests awaiting the operator
	Held          uint64         `json:"held"`            // units of the proofs held
	Owed          uint64         `json:"owed"`            // owed to accounts
	SoldForCash   uint64         `json:"sold_for_cash"`   // units users sold for cash, settled
	BoughtForCash uint64         `json:"bought_for_cash"` // units users bought for cash, settled
}
