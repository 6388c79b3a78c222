package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cyclecash/compute"
	"cyclecash/compute/boltqueue"
	"cyclecash/compute/pgqueue"
	"cyclecash/ledger"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/libp2p/go-libp2p/core/network"
)

// ComputeDBFile is the gateway's task queue, job metadata, worker credit
// and measured capacity (bbolt, in the data directory).
const ComputeDBFile = "compute.db"

// Tables of the gateway's compute store beside the queue's own.
const (
	tableJobMeta  = "jobmeta"  // job ID -> jobMeta
	tableModules  = "modules"  // instrumented SHA-256 -> module bytes
	tableQuotes   = "quotes"   // job/task/worker -> stealth payout quote ID
	tableCredits  = "credits"  // worker ID -> Account
	tableCapacity = "capacity" // UTC day -> units accepted that day
	tableEscrows  = "escrows"  // ledger reservation ID -> the job it pays for
)

// computeGateway schedules buyers' jobs on workers: the queue, escrow of
// the buyers' payment, and payouts. It records workers only under the IDs
// they register (an account key hash, or a stealth session key hash):
// never an address or a peer ID.
type computeGateway struct {
	log   *slog.Logger
	store queueStore
	queue *compute.Queue
	cap   *capacityMeter
	mint  *ledger.Mint // set by attach once the ledger is open
	ln    *connListener
	srv   *http.Server
	now   func() time.Time
	crash func(step string) error // test hook: fail after a step (crashPoint)

	mu       sync.Mutex
	sessions map[string]*workSession // bearer token -> session
	settling map[string]bool         // jobs whose escrow is being settled
}

// sessionIdle is how long a worker session lasts without a request; a
// worker whose session expired registers again on the 401.
const sessionIdle = time.Hour

// workSession is a registered worker session.
type workSession struct {
	worker string
	seen   time.Time // last request
}

// queueStore is the gateway's compute store: bbolt, or PostgreSQL beside
// a PostgreSQL ledger.
type queueStore interface {
	compute.Store
	Close() error
}

// openComputeGateway opens the gateway's compute store. The capacity
// meter is ready before the ledger opens, since the ledger's cap reads it.
func openComputeGateway(cfg Config, log *slog.Logger) (*computeGateway, error) {
	st, err := openQueueStore(cfg)
	if err != nil {
		return nil, fmt.Errorf("node: compute store: %w", err)
	}
	g := &computeGateway{log: log, store: st, now: time.Now,
		sessions: map[string]*workSession{}, settling: map[string]bool{}}
	g.queue = compute.NewQueue(st, compute.QueueConfig{LeaseGrace: cfg.Compute.LeaseGrace,
		Logger: log, Rand: randFloat})
	g.cap = &capacityMeter{store: st, floor: cfg.Ledger.Capacity}
	return g, nil
}

// openQueueStore opens the queue where the ledger is: with a PostgreSQL
// ledger, in the same database under its own schema (queueSchema), so
// gateways sharing the ledger share the queue; otherwise DATA/compute.db.
func openQueueStore(cfg Config) (queueStore, error) {
	if cfg.Ledger.Store != StorePostgres {
		return boltqueue.Open(filepath.Join(cfg.DataDir, ComputeDBFile))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return pgqueue.Open(ctx, cfg.Ledger.Postgres, pgqueue.Options{Schema: queueSchema(cfg.Ledger.Postgres)})
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

// attach wires the ledger's mint and builds the HTTP server.
func (g *computeGateway) attach(mint *ledger.Mint, ledgerAPI http.Handler) {
	g.mint = mint
	g.ln = newConnListener()
	mux := http.NewServeMux()
	g.routes(mux)
	mux.Handle(ledgerPath+"/", http.StripPrefix(ledgerPath, ledgerAPI))
	g.srv = &http.Server{Handler: http.MaxBytesHandler(mux, maxWorkBody), ReadHeaderTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(g.log.Handler(), slog.LevelDebug)}
}

func (g *computeGateway) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+workPrefix+"jobs", g.handleSubmit)
	mux.HandleFunc("GET "+workPrefix+"jobs/{id}", g.handleStatus)
	mux.HandleFunc("GET "+workPrefix+"jobs/{id}/results", g.handleResults)
	mux.HandleFunc("POST "+workPrefix+"jobs/{id}/cancel", g.handleCancel)
	mux.HandleFunc("POST "+workPrefix+"register", g.handleRegister)
	mux.HandleFunc("POST "+workPrefix+"lease", g.authed(g.handleLease))
	mux.HandleFunc("GET "+workPrefix+"modules/{hash}", g.handleModule)
	mux.HandleFunc("POST "+workPrefix+"complete", g.authed(g.handleComplete))
	mux.HandleFunc("GET "+workPrefix+"account", g.authed(g.handleAccount))
}

// serveStream hands a libp2p stream from an open worker to the server.
func (g *computeGateway) serveStream(s network.Stream) { g.ln.Put(streamConn{s}) }

// serveConn hands a circuit stream to the server.
func (g *computeGateway) serveConn(c net.Conn) { g.ln.Put(c) }

// run serves requests and keeps leases and escrows tidy until ctx ends.
func (g *computeGateway) run(ctx context.Context) {
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
		if _, err := g.queue.Expire(); err != nil {
			g.log.Warn("compute: expiring leases", "err", err)
		}
		g.expireSessions()
		g.sweep(ctx)
	}
}

// close releases the store; run must have returned.
func (g *computeGateway) close() error {
	if g == nil {
		return nil
	}
	if g.ln != nil {
		g.ln.Close()
	}
	return g.store.Close()
}

// authed resolves the bearer token to the session's worker ID.
func (g *computeGateway) authed(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		worker := ""
		g.mu.Lock()
		if s := g.sessions[tok]; s != nil {
			s.seen, worker = g.now(), s.worker
		}
		g.mu.Unlock()
		if !ok || worker == "" {
			workError(w, ErrUnauthorized, http.StatusUnauthorized)
			return
		}
		h(w, r, worker)
	}
}

// expireSessions drops the sessions idle for longer than sessionIdle:
// anyone may register, and a stealth worker uses a new key every start.
func (g *computeGateway) expireSessions() {
	cutoff := g.now().Add(-sessionIdle)
	g.mu.Lock()
	defer g.mu.Unlock()
	for tok, s := range g.sessions {
		if s.seen.Before(cutoff) {
			delete(g.sessions, tok)
		}
	}
}

// workError answers with the error as one plain line. Messages come from
// this package and the cores; none carries a peer's address.
func workError(w http.ResponseWriter, err error, code int) {
	http.Error(w, err.Error(), code)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: malformed request: %v", ErrJob, err)
	}
	return nil
}
