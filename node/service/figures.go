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
	Err      string `json:"error,omitempty"` // the gateway could not be asked
}
