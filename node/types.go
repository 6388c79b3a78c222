package node

import (
	"os"

	"cyclecash/node/buyer"
	"cyclecash/node/dashboard"
	"cyclecash/node/gateway"
	"cyclecash/node/mint"
	"cyclecash/node/probe"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// The services' types and constants a node's users (the CLI, the test
// network, the demo) name, re-exported so they need import only node.

// Configuration sections and their values.
type (
	LedgerConfig  = mint.Config // [ledger]
	ComputeConfig = work.Config // [compute]
)

// Ledger store kinds (config key ledger.store) and worker modes
// (compute.mode).
const (
	StoreBolt     = mint.StoreBolt
	StorePostgres = mint.StorePostgres
	WorkerOpen    = work.WorkerOpen
	WorkerStealth = work.WorkerStealth
)

// Files in the data directory that services own.
const (
	LedgerKeyFile = mint.KeyFile
	LedgerDBFile  = mint.DBFile
	ComputeDBFile = gateway.ComputeDBFile
)

// The work service's names.
const (
	WorkService  = work.Service
	WorkProtocol = work.Protocol
)

// Control API payloads.
type (
	Ledger        = mint.Ledger
	LedgerReport  = mint.Report
	KeysetReport  = mint.KeysetReport
	KeysetInfo    = mint.KeysetInfo
	JobRequest    = buyer.JobRequest
	JobStatus     = work.JobStatus
	JobResults    = work.JobResults
	TaskResult    = work.TaskResult
	Account       = work.Account
	ProbeRequest  = probe.ProbeRequest
	ProbeResult   = probe.ProbeResult
	Dashboard     = dashboard.Dashboard
	Traffic       = dashboard.Traffic
	GuardStatus   = service.Guard
	CircuitStatus = service.Circuit
)

// Sentinel errors of the services.
var (
	ErrNoLedger     = mint.ErrNoLedger
	ErrNoCompute    = work.ErrNoCompute
	ErrPayment      = work.ErrPayment
	ErrUnauthorized = work.ErrUnauthorized
	ErrJob          = work.ErrJob
)

// WriteFileAtomic replaces path with data (0600 secrets, state, the CLI's
// change tokens and results) so that a crash or a failed write leaves the
// old file whole; a symlink at path is replaced, not followed.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	return service.WriteFileAtomic(path, data, mode)
}
