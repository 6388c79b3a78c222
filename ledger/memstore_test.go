package ledger_test

import (
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/storetest"
)

func TestMemStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ledger.Store { return ledger.NewMemStore() })
}
