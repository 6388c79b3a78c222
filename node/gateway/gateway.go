package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cyclecash/compute"
	"cyclecash/compute/boltqueue"
	"cyclecash/compute/pgqueue"
	"cyclecash/ledger"
	"cyclecash/node/service"
	"cyclecash/node/work"

	"github.com/jackc/pgx/v5/pgconn"
)

// ComputeDBFile is the gateway's task queue, job metadata, worker credit
// and measured capacity (bbolt, in the data directory).
const ComputeDBFile = "compute.db"

// Tables of the gateway's compute store beside the queue's own.
const (
	tableJobMeta  = "jobmeta"    // job ID -> jobMeta
	tableModules  = "modules"    // instrumented SHA-256 -> module bytes
	tableQuotes   = "quotes"     // job/task/worker -> stealth payout quote ID
	tableCredits  = "credits"    // worker ID -> work.Account
	tableCapacity = "capacity"   // UTC day -> units accepted that day
	tableEscrows  = "escrows"    // ledger reservation ID -> the job it pays for
	tableOffers   = "offers"     // stealth worker/quote -> offer
	tableWorkers  = "workermode" // worker ID -> the mode it first leased in
	tableWeeks    = "weeks"      // worker/Monday -> work.Week
	tablePaidOut  = "paidout"    // operator's payout ID -> work.CashPayout
)

// Gateway schedules buyers' jobs on workers: the queue, escrow of
// the buyers' payment, and payouts. It records workers only under the IDs
// they register (an account key hash, or a stealth session key hash):
// never an address or a peer ID.
type Gateway struct {
	log   *slog.Logger
	store queueStore
	queue *compute.Queue
	cap   *capacityMeter
	mint  *ledger.Mint // set by attach once the ledger is open
	ln    *work.Listener
	srv   *http.Server
	now   func() time.Time
	crash func(step string) error // test hook: fail after a step (crashPoint)

	mu       sync.Mutex
	sessions map[string]*workSession // bearer token -> session
	settling map[string]bool         // jobs whose escrow is being settled
}

// queueStore is the gateway's compute store: bbolt, or PostgreSQL beside
// a PostgreSQL ledger.
type queueStore interface {
	compute.Store
	Close() error
}

// Config is what the gateway's work side needs of the node's.
type Config struct {
	DataDir    string        // holds ComputeDBFile unless Postgres is set
	Postgres   string        // the ledger's PostgreSQL DSN: the queue goes beside it
	LeaseGrace time.Duration // compute.lease_grace
	Floor      uint64        // ledger.capacity: Ĉ before any work is measured
}

// Open opens the gateway's compute store. The capacity meter is ready
// before the ledger opens, since the ledger's cap reads it (Capacity);
// Attach then wires the mint and registers the work service.
func Open(cfg Config, log *slog.Logger) (*Gateway, error) {
	st, err := openQueueStore(cfg)
	if err != nil {
		return nil, fmt.Errorf("node: compute store: %w", err)
	}
	g := &Gateway{log: log, store: st, now: time.Now,
		sessions: map[string]*workSession{}, settling: map[string]bool{}}
	g.queue = compute.NewQueue(st, compute.QueueConfig{LeaseGrace: cfg.LeaseGrace,
		Logger: log, Rand: randFloat, Now: func() time.Time { return g.now() }})
	g.cap = &capacityMeter{store: st, floor: cfg.Floor}
	return g, nil
}

// openQueueStore opens the queue where the ledger is: with a PostgreSQL
// ledger, in the same database under its own schema (queueSchema), so
// gateways sharing the ledger share the queue; otherwise DATA/compute.db.
func openQueueStore(cfg Config) (queueStore, error) {
	if cfg.Postgres == "" {
		return boltqueue.Open(filepath.Join(cfg.DataDir, ComputeDBFile))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return pgqueue.Open(ctx, cfg.Postgres, pgqueue.Options{Schema: queueSchema(cfg.Postgres)})
}

// queueSchema is pgqueue's default schema, or "<S>_compute" when the DSN
// puts the ledger in schema S (search_path), so that ledgers kept apart by
// schema keep their queues apart too.
func queueSchema(dsn string) string {
	c, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return pgqueue.DefaultSchema
	}
	path := strings.TrimSpace(strings.Split(c.RuntimeParams["search_path"], ",")[0])
	if path == "" || path == "public" {
		return pgqueue.DefaultSchema
	}
	return strings.Trim(path, `"`) + "_" + pgqueue.DefaultSchema
}

// Attach wires the ledger's mint, builds the HTTP server, and registers
// the work service on circuits and direct streams and the gateway's
// figures on h.
func (g *Gateway) Attach(h service.Host, mint *ledger.Mint, ledgerAPI http.Handler) {
	g.attach(mint, ledgerAPI)
	h.HandleCircuit(work.Service, g.ln.Put)
	h.HandleDirect(work.Protocol, g.ln.Put)
	g.operatorRoutes(h)
	h.Report(service.FiguresGateway, func(context.Context) any { return g.figures() })
}

// attach wires the mint and builds the HTTP server.
func (g *Gateway) attach(mint *ledger.Mint, ledgerAPI http.Handler) {
	g.mint = mint
	g.ln = work.NewListener()
	mux := http.NewServeMux()
	g.routes(mux)
	mux.Handle(work.LedgerPath+"/", http.StripPrefix(work.LedgerPath, ledgerAPI))
	g.srv = &http.Server{Handler: http.MaxBytesHandler(mux, work.MaxBody), ReadHeaderTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(g.log.Handler(), slog.LevelDebug)}
}

func (g *Gateway) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+work.Prefix+"jobs", g.handleSubmit)
	mux.HandleFunc("GET "+work.Prefix+"jobs/{id}", g.handleStatus)
	mux.HandleFunc("GET "+work.Prefix+"jobs/{id}/results", g.handleResults)
	mux.HandleFunc("POST "+work.Prefix+"jobs/{id}/cancel", g.handleCancel)
	mux.HandleFunc("POST "+work.Prefix+"register", g.handleRegister)
	mux.HandleFunc("POST "+work.Prefix+"lease", g.authed(g.handleLease))
	mux.HandleFunc("GET "+work.Prefix+"modules/{hash}", g.handleModule)
	mux.HandleFunc("POST "+work.Prefix+"complete", g.authed(g.handleComplete))
	mux.HandleFunc("GET "+work.Prefix+"account", g.authed(g.handleAccount))
	mux.HandleFunc("POST "+work.Prefix+"offer", g.authed(g.handleOffer))
	mux.HandleFunc("GET "+work.Prefix+"statement", g.authed(g.handleStatement))
}

// Capacity is Ĉ at now, measured from accepted work: the ledger's
// Config.Capacity.
func (g *Gateway) Capacity(now time.Time) uint64 { return g.cap.At(now) }

// Queue is the gateway's task queue, for tests and operator tools.
func (g *Gateway) Queue() *compute.Queue { return g.queue }

// Run serves requests and keeps leases and escrows tidy until ctx ends.
func (g *Gateway) Run(ctx context.Context) {
	go func() {
		if err := g.srv.Serve(g.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.log.Error("compute gateway stopped", "err", err)
		}
	}()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	g.sweep(ctx) // finish what a previous run left owed
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_ = g.srv.Shutdown(sctx)
			return
		case <-t.C:
		}
		g.tick(ctx)
	}
}

// tick is Run's housekeeping, once a second: expired leases are dropped
// so their replicas go to other workers (a worker that vanished loses
// the task nothing), idle sessions end, and owed work is swept.
func (g *Gateway) tick(ctx context.Context) {
	if _, err := g.queue.Expire(); err != nil {
		g.log.Warn("compute: expiring leases", "err", err)
	}
	g.expireSessions()
	g.sweep(ctx)
}

// Close releases the store; Run must have returned.
func (g *Gateway) Close() error {
	if g == nil {
		return nil
	}
	if g.ln != nil {
		g.ln.Close()
	}
	return g.store.Close()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: malformed request: %v", work.ErrJob, err)
	}
	return nil
}
