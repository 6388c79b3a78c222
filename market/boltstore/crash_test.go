package boltstore_test

import (
	"path/filepath"
	"testing"

	"cyclecash/market"
	"cyclecash/market/boltstore"
	"cyclecash/market/storetest"
)

func reopen(t testing.TB, path string) market.Store {
	st, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestCrashChild is the child of TestSIGKILLMidPurchase.
func TestCrashChild(t *testing.T) { storetest.CrashChild(t, reopen) }

// TestSIGKILLMidPurchase: storetest.SIGKILLMidPurchase on a bbolt file.
func TestSIGKILLMidPurchase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "market.db")
	storetest.SIGKILLMidPurchase(t, path, reopen)
}
