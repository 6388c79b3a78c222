// Package pgstore is the market's PostgreSQL Store, for several market
// front-ends on one database. Records live in one table keyed by (bucket,
// key); every Update runs at SERIALIZABLE isolation and is retried on
// serialization failures and deadlocks, so two front-ends racing for the
// last item or the same token behave as if they ran one after the other.
// The schema is migrated on Open from migrations/*.sql under an advisory
// lock.
//
// Policy: no logging; after maxAttempts conflicting tries Update reports
// ErrConflict.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"cyclecash/internal/pgutil"
	"cyclecash/market"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

const maxAttempts = 30

// ErrConflict reports a transaction that kept failing to serialize.
var ErrConflict = errors.New("pgstore: store conflict, retry")

// Options tune Open; the zero value is the default.
type Options struct {
	Schema   string // created if missing and used as search_path
	MaxConns int32  // 0 means pgxpool's default
}

// Store is a PostgreSQL-backed market.Store.
type Store struct{ pool *pgxpool.Pool }

var _ market.Store = (*Store)(nil)

// Open connects to dsn and migrates the schema.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	pool, err := pgutil.Open(ctx, dsn, opt.Schema, opt.MaxConns)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	err = pgutil.Migrate(ctx, pool, pgutil.Migrations{FS: migrations, Dir: "migrations",
		Table: "market_schema_version", Lock: 0x6d61726b6574})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

// Update runs fn in a SERIALIZABLE transaction, retrying on conflicts.
func (s *Store) Update(ctx context.Context, fn func(market.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
}

// View runs fn in a read-only REPEATABLE READ snapshot.
func (s *Store) View(ctx context.Context, fn func(market.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(market.Tx) error) error {
	err := pgutil.Retry(ctx, maxAttempts, func() error {
		return pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error { return fn(pgTx{ctx, tx}) })
	})
	if errors.Is(err, pgutil.ErrExhausted) {
		return ErrConflict
	}
	return err
}

type pgTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t pgTx) Get(bucket, key string) ([]byte, error) {
	var v []byte
	err := t.tx.QueryRow(t.ctx, "SELECT val FROM market_kv WHERE bucket = $1 AND key = $2", bucket, []byte(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (t pgTx) Put(bucket, key string, val []byte) error {
	if val == nil {
		val = []byte{}
	}
	_, err := t.tx.Exec(t.ctx, `INSERT INTO market_kv (bucket, key, val) VALUES ($1, $2, $3)
		ON CONFLICT (bucket, key) DO UPDATE SET val = excluded.val`, bucket, []byte(key), val)
	return err
}

func (t pgTx) Delete(bucket, key string) error {
	_, err := t.tx.Exec(t.ctx, "DELETE FROM market_kv WHERE bucket = $1 AND key = $2", bucket, []byte(key))
	return err
}

func (t pgTx) Scan(bucket, prefix string, fn func(string, []byte) error) error {
	rows, err := t.tx.Query(t.ctx, `SELECT key, val FROM market_kv
		WHERE bucket = $1 AND substring(key FROM 1 FOR $3) = $2 ORDER BY key`, bucket, []byte(prefix), len(prefix))
	if err != nil {
		return err
	}
	type kv struct{ k, v []byte }
	var all []kv
	for rows.Next() {
		var r kv
		if err := rows.Scan(&r.k, &r.v); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all { // the connection is free again: fn may query
		if err := fn(string(r.k), r.v); err != nil {
			return err
		}
	}
	return nil
}
