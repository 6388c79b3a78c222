package pgstore_test

import (
	"context"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/pgstore"
	"cyclecash/ledger/storetest"

	"cyclecash/internal/pgutil/pgtest"
)

// OpenTest opens a store in a fresh schema that is dropped afterwards.
func OpenTest(t testing.TB) *pgstore.Store {
	dsn, schema := pgtest.Schema(t, "ledgertest")
	st, err := pgstore.Open(context.Background(), dsn, pgstore.Options{Schema: schema, MaxConns: 16})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ledger.Store { return OpenTest(t) })
}

func BenchmarkSwap(b *testing.B) { storetest.BenchSwap(b, OpenTest(b)) }
