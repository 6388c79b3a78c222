package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/pgstore"
	"cyclecash/ledger/storetest"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the test database's DSN;
// the tests skip when it is unset, except under CI (CI=true), where .ci/run
// always starts PostgreSQL and a missing DSN means the set-up broke.
const EnvDSN = "CYCLECASH_TEST_PG"

// OpenTest opens a store in a fresh schema that is dropped afterwards.
func OpenTest(t testing.TB) *pgstore.Store {
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal(EnvDSN + " not set under CI: .ci/run should have started PostgreSQL")
		}
		t.Skip(EnvDSN + " not set")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "ledgertest_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	st, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: schema, MaxConns: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			conn.Close(ctx)
		}
	})
	return st
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ledger.Store { return OpenTest(t) })
}

func BenchmarkSwap(b *testing.B) { storetest.BenchSwap(b, OpenTest(b)) }
