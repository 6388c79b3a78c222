package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/keyfile"
	"cyclecash/ledger/mintapi"
	"cyclecash/ledger/pgstore"

	bolterrors "go.etcd.io/bbolt/errors"
)

// The gateway's ledger: a ledger.Mint over the configured store, its
// master secret in the data directory, and the Cashu HTTP handler that the
// node serves on ledger.http and, later, over the mesh.

// Ledger store kinds (config key ledger.store).
const (
	StoreBolt     = "bolt"
	StorePostgres = "postgres"
)

// Files in the data directory.
const (
	// LedgerKeyFile holds the master secret every keyset is derived from
	// (0600). Gateways sharing one PostgreSQL database must hold the same one.
	LedgerKeyFile = "ledger.key"
	// LedgerDBFile is the bbolt ledger.
	LedgerDBFile = "ledger.db"
)

// ErrNoLedger is returned for ledger requests to a node that is not a gateway.
var ErrNoLedger = errors.New("node: not a gateway: this node has no ledger")

// LedgerConfig configures a gateway's ledger. The zero value keeps the
// ledger in a bbolt file in the data directory, serves it on no HTTP
// address, and mints nothing (capacity 0).
type LedgerConfig struct {
	HTTP     string `toml:"http"`     // serve the Cashu API on this HOST:PORT; empty = not over HTTP
	Store    string `toml:"store"`    // "bolt" (DATA/ledger.db) or "postgres"
	Postgres string `toml:"postgres"` // PostgreSQL DSN when store = "postgres"
	Capacity uint64 `toml:"capacity"` // Ĉ: projected capacity of the next 30 days, in units
	// Measured, when set, supplies Ĉ from measured accepted work (the
	// gateway's compute scheduler sets it; Capacity is then its floor).
	Measured func(time.Time) uint64 `toml:"-"`
}

func (c LedgerConfig) validate() error {
	switch c.Store {
	case "", StoreBolt:
		return nil
	case StorePostgres:
		if c.Postgres == "" {
			return errors.New("node: config: ledger.postgres: a DSN is required when ledger.store is \"postgres\"")
		}
		return nil
	}
	return fmt.Errorf("node: config: ledger.store: %q is not \"bolt\" or \"postgres\"", c.Store)
}

// Ledger is an open gateway ledger.
type Ledger struct {
	mint    *ledger.Mint
	store   ledger.Store
	handler http.Handler
}

// OpenLedger opens the ledger of the node whose configuration is cfg.
// With create, a missing master secret is generated (a gateway's first
// start); without it, a missing secret is an error (operator tools must not
// invent a new one). With bbolt, the file is locked by a running gateway.
func OpenLedger(ctx context.Context, cfg Config, create bool) (*Ledger, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Ledger.validate(); err != nil {
		return nil, err
	}
	master, err := loadMaster(filepath.Join(cfg.DataDir, LedgerKeyFile), create)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	m, err := ledger.New(ledger.Config{Master: master, CapacityUnits: cfg.Ledger.Capacity, Capacity: cfg.Ledger.Measured, Name: "cyclecash gateway"}, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Ledger{mint: m, store: st, handler: mintapi.New(m, mintapi.Options{})}, nil
}

func loadMaster(path string, create bool) ([]byte, error) {
	if create {
		return keyfile.LoadOrCreate(path, nil)
	}
	b, err := keyfile.Load(path)
	if err != nil {
		return nil, fmt.Errorf("node: ledger: no master secret (is this a gateway's data directory?): %w", err)
	}
	return b, nil
}

func openStore(ctx context.Context, cfg Config) (ledger.Store, error) {
	if cfg.Ledger.Store == StorePostgres {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return pgstore.Open(ctx, cfg.Ledger.Postgres, pgstore.Options{})
	}
	st, err := boltstore.Open(filepath.Join(cfg.DataDir, LedgerDBFile))
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, errors.New("node: ledger: ledger.db is locked by another process (a running gateway?)")
	}
	return st, err
}

// Mint is the ledger's mint.
func (l *Ledger) Mint() *ledger.Mint { return l.mint }

// Handler serves the Cashu API (mintapi) for the mint.
func (l *Ledger) Handler() http.Handler { return l.handler }

// Close closes the store.
func (l *Ledger) Close() error { return l.store.Close() }

// PayQuote records a cash sale: the quote becomes PAID and its holder
// can mint it.
func (l *Ledger) PayQuote(ctx context.Context, id string) (ledger.Quote, error) {
	return l.mint.PayQuote(ctx, id, "cash")
}

// LedgerHandler returns the gateway's Cashu API handler, or nil when the
// node is not a gateway. The onion wiring serves it over the mesh.
func (n *Node) LedgerHandler() http.Handler {
	if n.ledger == nil {
		return nil
	}
	return n.ledger.Handler()
}

// Ledger returns the gateway's open ledger, or nil when the node is not
// a gateway.
func (n *Node) Ledger() *Ledger {
	if n.ledger == nil {
		return nil
	}
	return n.ledger.Ledger
}
