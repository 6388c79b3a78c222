package boltstore_test

import (
	"path/filepath"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ledger.Store {
		st, err := boltstore.Open(filepath.Join(t.TempDir(), "ledger.db"))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func open(b *testing.B) *boltstore.Store {
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "ledger.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func BenchmarkSwap(b *testing.B)       { storetest.BenchSwap(b, open(b)) }
func BenchmarkCheckState(b *testing.B) { storetest.BenchCheckState(b, open(b)) }
