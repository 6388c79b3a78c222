package pgstore_test

import (
	"context"
	"testing"

	"cyclecash/internal/pgutil/pgtest"
	"cyclecash/market"
	"cyclecash/market/pgstore"
	"cyclecash/market/storetest"
)

func open(t testing.TB) market.Store {
	dsn, schema := pgtest.Schema(t, "market")
	st, err := pgstore.Open(context.Background(), dsn, pgstore.Options{Schema: schema, MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestContract(t *testing.T) { storetest.Run(t, open) }

func BenchmarkPurchase(b *testing.B) { storetest.BenchPurchase(b, open(b)) }

func BenchmarkPages(b *testing.B) { storetest.BenchPages(b, open(b)) }
