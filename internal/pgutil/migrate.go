package pgutil

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrations names a store's embedded migrations: files NNNN_name.sql in
// Dir of FS, applied in order; the applied version is kept in Table; Lock
// is the advisory lock key that serializes migrations when several
// processes start at once.
type Migrations struct {
	FS    fs.FS
	Dir   string
	Table string
	Lock  int64
}

// Migrate applies every migration newer than the recorded version, each in
// its own transaction together with the version bump.
func Migrate(ctx context.Context, pool *pgxpool.Pool, m Migrations) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", m.Lock); err != nil {
		return fmt.Errorf("pgutil: migrate lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", m.Lock)
	table := pgx.Identifier{m.Table}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+table+" (version int PRIMARY KEY)"); err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+table).Scan(&have); err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	names, err := fs.Glob(m.FS, m.Dir+"/*.sql")
	if err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, m.Dir+"/"), "_", 2)[0])
		if err != nil || v <= have {
			continue
		}
		if err := apply(ctx, conn.Conn(), m, name, table, v); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, conn *pgx.Conn, m Migrations, name, table string, v int) error {
	sql, err := fs.ReadFile(m.FS, name)
	if err != nil {
		return fmt.Errorf("pgutil: migration %s: %w", name, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, string(sql)); err != nil {
		return fmt.Errorf("pgutil: migration %s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+table+" (version) VALUES ($1)", v); err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgutil: migrate: %w", err)
	}
	return nil
}
