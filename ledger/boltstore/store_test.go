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
