package pgstore_test

import (
	"context"
	"testing"

	"cyclecash/internal/pgutil/pgtest"
	"cyclecash/market"
	"cyclecash/market/pgstore"
	"cyclecash/market/storetest"
)

func reopen(t testing.TB, schema string) market.Store {
	st, err := pgstore.Open(context.Background(), pgtest.DSN(t), pgstore.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestCrashChild is the child of TestSIGKILLMidPurchase.
func TestCrashChild(t *testing.T) { storetest.CrashChild(t, reopen) }

// TestSIGKILLMidPurchase: storetest.SIGKILLMidPurchase on a PostgreSQL
// schema: the killed market's connection, and its open transaction, die
// with it.
func TestSIGKILLMidPurchase(t *testing.T) {
	_, schema := pgtest.Schema(t, "market")
	storetest.SIGKILLMidPurchase(t, schema, reopen)
}
