// Package pgtest gives tests a fresh schema of the PostgreSQL database that
// .ci/run starts, named by CYCLECASH_TEST_PG.
//
// Policy: a test without that variable is skipped on a developer's machine
// but fails under CI (CI set), where a missing database means the set-up
// broke, never that the check may be quietly dropped. Every schema it makes
// is dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the test database's DSN.
const EnvDSN = "CYCLECASH_TEST_PG"

// DSN returns the test database's DSN, skipping (fatal under CI) when unset.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal(EnvDSN + " not set under CI: .ci/run should have started PostgreSQL")
		}
		t.Skip(EnvDSN + " not set")
	}
	return dsn
}

// Schema creates a fresh schema named prefix_<random> and returns the DSN
// and its name. At cleanup it drops the schema and the "<schema>_compute"
// schema a gateway's task queue puts beside it.
func Schema(t testing.TB, prefix string) (dsn, schema string) {
	t.Helper()
	dsn = DSN(t)
	var b [6]byte
	rand.Read(b[:])
	schema = prefix + "_" + hex.EncodeToString(b[:])
	exec(t, dsn, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	t.Cleanup(func() {
		for _, s := range []string{schema, schema + "_compute"} {
			exec(nil, dsn, "DROP SCHEMA IF EXISTS "+pgx.Identifier{s}.Sanitize()+" CASCADE")
		}
	})
	return dsn, schema
}

// SearchPath returns dsn with its search_path set to schema.
func SearchPath(dsn, schema string) string {
	sep := " "
	if strings.Contains(dsn, "://") {
		sep = "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
	}
	return dsn + sep + "search_path=" + schema
}

// exec runs one statement; t nil means best effort (cleanup).
func exec(t testing.TB, dsn, sql string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		_, err = conn.Exec(ctx, sql)
		conn.Close(ctx)
	}
	if err != nil && t != nil {
		t.Fatal(err)
	}
}
