// Package pgqueue stores the compute task queue in PostgreSQL, so that
// several gateways share one queue (and the database of their ledger). It
// implements compute.Store and compute.Claimer: Update runs at
// SERIALIZABLE and is retried on serialization failures (40001) and
// deadlocks (40P01); Claim, which compute.Queue uses to lease tasks, runs at
// READ COMMITTED, reads without holding rows and holds the one task it
// takes with SELECT … FOR UPDATE SKIP LOCKED, so concurrent leases on
// several gateways pick different tasks instead of waiting for or
// conflicting over one, and never hand out one replica twice. The schema lives in its own PostgreSQL schema
// (default "compute") and is migrated on Open from the embedded
// migrations/*.sql under an advisory lock.
//
// Policy: no logging; retries back off briefly with jitter, at most
// maxAttempts times, then report ErrConflict. compute.Store carries no
// context, so each transaction gets Options.Timeout.
package pgqueue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cyclecash/compute"
	"cyclecash/internal/pgutil"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrConflict reports a transaction that kept failing to serialize.
var ErrConflict = errors.New("pgqueue: transaction conflict; retries exhausted")

const maxAttempts = 30

// DefaultSchema is the PostgreSQL schema the queue's tables live in.
const DefaultSchema = "compute"

// Options tune Open; the zero value is the default.
type Options struct {
	// Schema is created if missing and holds the queue's tables; "" means
	// DefaultSchema.
	Schema string
	// MaxConns bounds the pool; 0 means pgxpool's default.
	MaxConns int32
	// Timeout bounds each transaction, retries included; 0 means 30 s.
	Timeout time.Duration
}

// Store is a PostgreSQL-backed compute.Store.
type Store struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

var (
	_ compute.Store   = (*Store)(nil)
	_ compute.Claimer = (*Store)(nil)
)

// Open connects to dsn, creates the schema if needed and migrates it.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Schema == "" {
		opt.Schema = DefaultSchema
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 30 * time.Second
	}
	pool, err := pgutil.Open(ctx, dsn, opt.Schema, opt.MaxConns)
	if err != nil {
		return nil, fmt.Errorf("pgqueue: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, timeout: opt.Timeout}, nil
}

// NextAsk draws the next lease number from a sequence, outside any
// transaction (compute.Sequencer): every lease writing one counter row
// would make concurrent SERIALIZABLE leases conflict on it.
func (s *Store) NextAsk() (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT nextval('queue_asks')").Scan(&n); err != nil {
		return 0, fmt.Errorf("pgqueue: lease number: %w", err)
	}
	return uint64(n), nil
}

var _ compute.Sequencer = (*Store)(nil)

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

// View implements compute.Store: a read-only REPEATABLE READ snapshot.
func (s *Store) View(fn func(compute.Tx) error) error {
	return s.run(pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, "", fn)
}

// Update implements compute.Store: SERIALIZABLE, retried on conflicts.
func (s *Store) Update(fn func(compute.Tx) error) error {
	return s.run(pgx.TxOptions{IsoLevel: pgx.Serializable}, "", fn)
}

// Claim implements compute.Claimer: READ COMMITTED; Get holds the row it
// reads, TryGet a row of table unless another transaction holds it.
func (s *Store) Claim(table string, fn func(compute.Tx) error) error {
	return s.run(pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, table, fn)
}

func (s *Store) run(opts pgx.TxOptions, claim string, fn func(compute.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	err := pgutil.Retry(ctx, maxAttempts, func() error { return s.once(ctx, opts, claim, fn) })
	switch {
	case errors.Is(err, pgutil.ErrExhausted):
		return ErrConflict
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return fmt.Errorf("pgqueue: %w", err)
	}
	return err
}

func (s *Store) once(ctx context.Context, opts pgx.TxOptions, claim string, fn func(compute.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("pgqueue: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	t := &ptx{ctx: ctx, tx: tx, claim: claim, locking: opts.IsoLevel == pgx.ReadCommitted}
	err = fn(t)
	if t.err != nil {
		return t.err // the cause, even if fn dropped or replaced it
	}
	if err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgqueue: commit: %w", err)
	}
	return nil
}
