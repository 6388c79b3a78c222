package mint

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

// Ledger store kinds (config key ledger.store).
const (
	StoreBolt     = "bolt"
	StorePostgres = "postgres"
)

// Files in the data directory.
const (
	// KeyFile holds the master secret every keyset is derived from
	// (0600). Gateways sharing one PostgreSQL database must hold the same one.
	KeyFile = "ledger.key"
	// DBFile is the bbolt ledger.
	DBFile = "ledger.db"
)

// ErrNoLedger is returned for ledger requests to a node that is not a gateway.
var ErrNoLedger = errors.New("node: not a gateway: this node has no ledger")

// Config is the [ledger] section of node.toml: it configures a gateway's ledger. The zero value keeps the
// ledger in a bbolt file in the data directory, serves it on no HTTP
// address, and mints nothing (capacity 0).
type Config struct {
	HTTP     string `toml:"http"`     // serve the Cashu API on this HOST:PORT; empty = not over HTTP
	Store    string `toml:"store"`    // "bolt" (DATA/ledger.db) or "postgres"
	Postgres string `toml:"postgres"` // PostgreSQL DSN when store = "postgres"
	Capacity uint64 `toml:"capacity"` // Ĉ: projected capacity of the next 30 days, in units
}

// Validate checks the section once; each message names the key at fault.
func (c Config) Validate() error {
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

// Open opens the ledger kept in dataDir under cfg. With create, a missing
// master secret is generated (a gateway's first start); without it, a
// missing secret is an error (operator tools must not invent a new one).
// With bbolt, the file is locked by a running gateway. measured, when not
// nil, supplies Ĉ from measured accepted work (the gateway's capacity
// meter; cfg.Capacity is then its floor).
func Open(ctx context.Context, dataDir string, cfg Config, create bool, measured func(time.Time) uint64) (*Ledger, error) {
	return open(ctx, dataDir, cfg, create, measured, "")
}

// open is Open for a mint whose Cashu API is at url ("" for none): its
// change tokens name it.
func open(ctx context.Context, dataDir string, cfg Config, create bool, measured func(time.Time) uint64, url string) (*Ledger, error) {
	if cfg.Store == "" {
		cfg.Store = StoreBolt
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	master, err := loadMaster(filepath.Join(dataDir, KeyFile), create)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, dataDir, cfg)
	if err != nil {
		return nil, err
	}
	m, err := ledger.New(ledger.Config{Master: master, CapacityUnits: cfg.Capacity, Capacity: measured, Name: "cyclecash gateway", URL: url}, st)
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

func openStore(ctx context.Context, dataDir string, cfg Config) (ledger.Store, error) {
	if cfg.Store == StorePostgres {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return pgstore.Open(ctx, cfg.Postgres, pgstore.Options{})
	}
	st, err := boltstore.Open(filepath.Join(dataDir, DBFile))
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
