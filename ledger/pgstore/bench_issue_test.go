package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cyclecash/internal/pgutil/pgtest"
	"cyclecash/ledger"
	"cyclecash/ledger/pgstore"
	"cyclecash/ledger/storetest"
)

// BenchmarkIssue measures one issuance (quote, pay with the cap check,
// mint of 4 outputs) on a ledger that already holds N issued records of
// today's keyset and N/2 spent proofs, beside the same on an empty one.
// N is CYCLECASH_BENCH_ISSUED (default 10⁶):
//
//	go test -run '^$' -bench Issue -benchtime 200x ./ledger/pgstore
func BenchmarkIssue(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("CYCLECASH_BENCH_ISSUED"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for _, records := range []int{0, n} {
		b.Run(fmt.Sprintf("records=%d", records), func(b *testing.B) {
			dsn, schema := pgtest.Schema(b, "ledgerbench")
			st, err := pgstore.Open(context.Background(), dsn, pgstore.Options{Schema: schema, MaxConns: 4})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			f := storetest.NewFixture(b, st)
			ks, err := f.Mint.ActiveKeyset()
			if err != nil {
				b.Fatal(err)
			}
			prefill(b, dsn, schema, ks.ID, records)
			b.ResetTimer()
			for b.Loop() {
				f.Issue(8, 4, 2, 1)
			}
			b.StopTimer()
			b.ReportMetric(oldSumSeconds(b, dsn, schema)*1e3, "ms-oldsum")
		})
	}
}

// oldSumSeconds times the whole-table sums the cap check ran before the
// running totals (migration 0004), on the same data: the baseline the
// triggers replace.
func oldSumSeconds(b *testing.B, dsn, schema string) float64 {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.SearchPath(dsn, schema))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	const runs = 5
	start := time.Now()
	for range runs {
		if _, err := conn.Exec(ctx, `SELECT keyset, sum(amount), 0 FROM signatures GROUP BY keyset
			UNION ALL SELECT keyset, 0, sum(amount) FROM proofs WHERE state = 'SPENT' GROUP BY keyset`); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start).Seconds() / runs
}

// prefill writes n signatures and n/2 SPENT proofs of keyset id in bulk
// (straight into the tables: the benchmark times the cap check, which no
// longer reads them).
func prefill(b *testing.B, dsn, schema string, id ledger.KeysetID, n int) {
	if n == 0 {
		return
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.SearchPath(dsn, schema))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`INSERT INTO signatures (b, keyset, amount, body)
			SELECT int8send(i), $1, 1, '\x00' FROM generate_series(1, $2::bigint) i`,
		`INSERT INTO proofs (y, keyset, amount, state)
			SELECT int8send(i), $1, 1, 'SPENT' FROM generate_series(1, $2::bigint / 2) i`,
	} {
		if _, err := conn.Exec(ctx, q, string(id), n); err != nil {
			b.Fatal(err)
		}
	}
}
