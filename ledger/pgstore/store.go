// Package pgstore is the PostgreSQL ledger.Store, for several gateways
// sharing one database. Every Update runs at SERIALIZABLE isolation and is
// retried on serialization failures (40001) and deadlocks (40P01); inserts
// are sorted and use INSERT … ON CONFLICT DO NOTHING on the key, so the
// same SQL also runs on CockroachDB. The schema is migrated on Open from the
// embedded migrations/*.sql, under an advisory lock.
//
// Policy: no logging; retries back off briefly with jitter, at most
// maxAttempts times, then report ledger.ErrConflict.
package pgstore

import (
	"context"
	"errors"
	"fmt"

	"cyclecash/internal/pgutil"
	"cyclecash/ledger"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const maxAttempts = 30

// Options tune Open; the zero value is the default.
type Options struct {
	// Schema, when set, is created if missing and used as search_path
	// (tests use one schema each).
	Schema string
	// MaxConns bounds the pool; 0 means pgxpool's default.
	MaxConns int32
}

// Store is a PostgreSQL-backed ledger.Store.
type Store struct {
	pool *pgxpool.Pool
}

var _ ledger.Store = (*Store)(nil)

// Open connects to dsn and migrates the schema.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	pool, err := pgutil.Open(ctx, dsn, opt.Schema, opt.MaxConns)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

// Pool exposes the pool (for tests and operator tooling).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// View runs fn in a read-only transaction (REPEATABLE READ: a consistent
// snapshot that never fails to serialize).
func (s *Store) View(ctx context.Context, fn func(ledger.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// Update runs fn in a SERIALIZABLE transaction, retrying on conflicts.
func (s *Store) Update(ctx context.Context, fn func(ledger.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(ledger.Tx) error) error {
	err := pgutil.Retry(ctx, maxAttempts, func() error { return s.once(ctx, opts, fn) })
	if errors.Is(err, pgutil.ErrExhausted) {
		return ledger.ErrConflict
	}
	return err
}

func (s *Store) once(ctx context.Context, opts pgx.TxOptions, fn func(ledger.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("pgstore: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(&ptx{ctx: ctx, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	return nil
}
