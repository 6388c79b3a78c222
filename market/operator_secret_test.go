package market_test

import (
	"context"
	"strings"
	"testing"

	"cyclecash/market"
	"cyclecash/market/storetest"
)

// TestWeakOperatorSecretRefused: the operator view is one password away
// from every dispute and cash-out; a short secret falls to guessing even
// at the login rate limit, so New refuses it.
func TestWeakOperatorSecretRefused(t *testing.T) {
	e := storetest.NewEnv(t, market.NewMemStore())
	for _, weak := range []string{"hunter2", strings.Repeat("a", market.MinOperatorSecret-1)} {
		_, err := market.New(context.Background(), market.Config{Store: market.NewMemStore(), Mint: e.Mint,
			MintURL: e.MintSrv.URL, OperatorSecret: weak})
		if err == nil || !strings.HasPrefix(err.Error(), "market: ") {
			t.Errorf("operator secret %q accepted (%v)", weak, err)
		}
	}
	if _, err := market.New(context.Background(), market.Config{Store: market.NewMemStore(), Mint: e.Mint,
		MintURL: e.MintSrv.URL, OperatorSecret: strings.Repeat("a", market.MinOperatorSecret)}); err != nil {
		t.Fatal(err)
	}
}
