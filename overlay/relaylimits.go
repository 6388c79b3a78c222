package overlay

import (
	"runtime"
	"time"

	"cyclecash/onion"
)

// RelayLimits are the relay's flood defences (node config section
// [relay]). Every zero field means its default.
type RelayLimits struct {
	// HandshakeWorkers run CREATE handshakes off the onion lock; 0 =
	// GOMAXPROCS.
	HandshakeWorkers int `toml:"handshake_workers"`
	// HandshakeQueue bounds the CREATEs waiting for a worker; a CREATE
	// arriving at a full queue is refused. 0 = 2048 per worker (about a
	// quarter second of handshakes: a bounded wait, as Tor's onionskin
	// queue bounds its delay).
	HandshakeQueue int `toml:"handshake_queue"`
	// PeerCreateRate and PeerCreateBurst: the token bucket of CREATEs one
	// neighbour may send (per second, bucket size); 0 = 50/s, 200.
	PeerCreateRate  float64 `toml:"peer_create_rate"`
	PeerCreateBurst int     `toml:"peer_create_burst"`
	// SubnetCreateRate and SubnetCreateBurst: the same for all neighbours
	// of one IPv4 /16 (IPv6 /32); 0 = 200/s, 800.
	SubnetCreateRate  float64 `toml:"subnet_create_rate"`
	SubnetCreateBurst int     `toml:"subnet_create_burst"`
	// MaxCircuits caps the circuits relayed here; 0 = 16384.
	MaxCircuits int `toml:"max_circuits"`
	// QueueBudget caps the bytes of cells queued on all links; past it the
	// circuits holding the oldest queued cells are closed. 0 = 128 MiB.
	QueueBudget int64 `toml:"queue_budget"`
	// ReplayLow, if set, is called (on its own goroutine) once per onion
	// key when fewer than a quarter of its replay set's entries remain: the
	// node should rotate its onion key early, since a full set refuses
	// every CREATE under the key rather than forget (onion/replay.go).
	ReplayLow func() `toml:"-"`
}

// Relay limit defaults.
const (
	defaultQueuePerWorker    = 2048
	defaultPeerCreateRate    = 50
	defaultPeerCreateBurst   = 200
	defaultSubnetCreateRate  = 200
	defaultSubnetCreateBurst = 800
	DefaultMaxCircuits       = 16384
	DefaultQueueBudget       = 128 << 20
	// maxLinksPerPeer: one link per neighbour pair (linkpair.go), and one
	// more retiring after both sides dialed each other at once. More is a
	// peer multiplying its per-link quota.
	maxLinksPerPeer = 1
	// maxCircQueue is how many cells one circuit may have queued on a link:
	// a full circuit window plus slack for SENDMEs and control cells. Cells
	// queued here have not reached the far end, so no SENDME covers them: a
	// circuit past it is a peer ignoring its window.
	maxCircQueue = onion.CircWindowStart + 256
	// lookupTimeout bounds the one descriptor lookup an EXTEND may cause.
	lookupTimeout = 3 * time.Second
	// maxLookups bounds the descriptor lookups in flight for EXTENDs.
	maxLookups = 8
	// standingAge is how long a neighbour must hold circuits that carried
	// cells before its CREATEs are served first; maxStanding caps the
	// turns in a row its standing buys; prioShare is how many turns in a
	// row neighbours with standing take while fresh ones wait
	// (createstanding.go, createqueue.go).
	standingAge = 10 * time.Second
	maxStanding = 4
	prioShare   = 3
)

func (l *RelayLimits) setDefaults() {
	if l.HandshakeWorkers <= 0 {
		l.HandshakeWorkers = runtime.GOMAXPROCS(0)
	}
	if l.HandshakeQueue <= 0 {
		l.HandshakeQueue = defaultQueuePerWorker * l.HandshakeWorkers
	}
	if l.PeerCreateRate <= 0 {
		l.PeerCreateRate = defaultPeerCreateRate
	}
	if l.PeerCreateBurst <= 0 {
		l.PeerCreateBurst = defaultPeerCreateBurst
	}
	if l.SubnetCreateRate <= 0 {
		l.SubnetCreateRate = defaultSubnetCreateRate
	}
	if l.SubnetCreateBurst <= 0 {
		l.SubnetCreateBurst = defaultSubnetCreateBurst
	}
	if l.MaxCircuits <= 0 {
		l.MaxCircuits = DefaultMaxCircuits
	}
	if l.QueueBudget <= 0 {
		l.QueueBudget = DefaultQueueBudget
	}
}

// RelayDefenceCounters count what each flood defence did since start; the
// node's status and figures carry them.
type RelayDefenceCounters struct {
	CreatesHandled     uint64 // CREATEs answered by the handshake workers
	CreatesStanding    uint64 // of those, from neighbours with standing (served first, createstanding.go)
	CreateQueueFull    uint64 // CREATEs refused or displaced: handshake queue full
	PeerRateRefused    uint64 // CREATEs refused by the per-peer bucket
	SubnetRateRefused  uint64 // CREATEs refused by the per-/16 bucket
	PeerCapRefused     uint64 // CREATEs refused: the peer holds MaxCircuitsPerLink
	CircuitCapRefused  uint64 // CREATEs refused: MaxCircuits reached
	LinksRefused       uint64 // extra links a neighbour opened, reset
	RetiredCreates     uint64 // CREATEs dropped on a retiring link past its grace (linkpair.go)
	WindowViolations   uint64 // circuits closed for overrunning a window
	UnwindowedClosed   uint64 // circuits closed for too many unwindowed cells
	OOMClosed          uint64 // circuits closed by the queue memory budget
	Backpressured      uint64 // read pauses: a link's output queue past its high mark
	ExtendLookups      uint64 // descriptor lookups EXTENDs caused
	ExtendUnknown      uint64 // EXTENDs refused: unknown relay, lookup spent or busy
	ReplaysRefused     uint64 // CREATEs refused: handshake ephemeral already seen
	ReplayFullRefused  uint64 // CREATEs refused: the onion key's replay set is full
	QueuedCells        int64  // cells queued on all links now
	QueueBudgetCells   int64  // the budget, in cells
	HandshakeQueueLen  int    // CREATEs waiting for a worker now
	HandshakeQueueSize int    // the queue's bound
}

// DefenceCounters returns the relay's flood-defence counters.
func (o *Onion) DefenceCounters() RelayDefenceCounters {
	o.mu.Lock()
	defer o.unlock()
	rc := o.relay.Counters()
	c := o.defence
	c.CircuitCapRefused += rc.CircuitCapRefused
	c.PeerCapRefused += rc.LinkCapRefused // the per-link cap is the per-peer one, on one link
	c.WindowViolations += rc.WindowViolations
	c.UnwindowedClosed = rc.UnwindowedClosed
	c.ReplaysRefused, c.ReplayFullRefused = rc.ReplaysRefused, rc.ReplayFullRefused
	c.QueuedCells = o.queued.Load()
	c.QueueBudgetCells = o.budgetCells
	c.HandshakeQueueLen = o.pool.jobs.len()
	c.HandshakeQueueSize = o.pool.jobs.size
	return c
}
