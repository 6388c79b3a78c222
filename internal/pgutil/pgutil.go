// Package pgutil is the PostgreSQL plumbing the ledger's and the compute
// queue's stores share: opening a pool in a schema, applying embedded
// migrations under an advisory lock, and retrying transactions that fail
// to serialize.
//
// Policy: it holds no schema and no query of either store, imports nothing
// of this project, and never logs. Errors are prefixed "pgutil:"; callers
// add their own package prefix.
package pgutil

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrExhausted reports a transaction that kept failing to serialize.
var ErrExhausted = errors.New("pgutil: transaction conflict; retries exhausted")

// Open connects to dsn with at most maxConns connections (0 = pgxpool's
// default). A non-empty schema is created if missing and becomes the
// pool's search_path.
func Open(ctx context.Context, dsn, schema string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgutil: parse dsn: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if schema != "" {
		if err := createSchema(ctx, dsn, schema); err != nil {
			return nil, err
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgutil: connect: %w", err)
	}
	return pool, nil
}

func createSchema(ctx context.Context, dsn, schema string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("pgutil: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("pgutil: create schema: %w", err)
	}
	return nil
}

// Retryable reports a serialization failure or deadlock: the transaction
// may succeed if run again.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Retry runs once up to attempts times while it fails with a Retryable
// error, sleeping a jittered, doubling backoff (0.5 ms to 50 ms) between
// tries. It returns ErrExhausted when every attempt conflicted.
func Retry(ctx context.Context, attempts int, once func() error) error {
	backoff := 500 * time.Microsecond
	for range attempts {
		err := once()
		if !Retryable(err) {
			return err
		}
		t := time.NewTimer(backoff/2 + rand.N(backoff))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
	return ErrExhausted
}
