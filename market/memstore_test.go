package market_test

import (
	"testing"

	"cyclecash/market"
	"cyclecash/market/storetest"
)

func TestMemStoreContract(t *testing.T) {
	storetest.Run(t, func(testing.TB) market.Store { return market.NewMemStore() })
}
