package pgstore

import (
	"context"
	"embed"
	"fmt"

	"cyclecash/internal/pgutil"

	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies the ledger's migrations; the advisory lock key ("ledg")
// serializes gateways starting at once.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgutil.Migrate(ctx, pool, pgutil.Migrations{FS: migrations, Dir: "migrations", Table: "ledger_schema", Lock: 0x6c656467})
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}
