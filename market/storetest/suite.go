package storetest

import (
	"context"
	"testing"

	"cyclecash/market"
)

// Run runs the contract suite; open returns a fresh, empty store.
func Run(t *testing.T, open func(t testing.TB) market.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, *Env)
	}{
		{"Purchase", testPurchase},
		{"TokenTwice", testTokenTwice},
		{"CrashAcrossSwap", testCrashAcrossSwap},
		{"MintDown", testMintDown},
		{"LastItemRace", testLastItemRace},
		{"SameTokenTwoFrontEnds", testSameTokenRace},
		{"EscrowTimeout", testEscrowTimeout},
		{"Dispute", testDispute},
		{"BalancePayment", testBalancePayment},
		{"Withdraw", testWithdraw},
		{"CashOut", testCashOut},
		{"Underpaid", testUnderpaid},
		{"PriceRaised", testPriceRaised},
		{"Unlinkable", testUnlinkable},
		{"SpendRace", testSpendRace},
		{"SettleRace", testSettleRace},
		{"ChangePruned", testChangePruned},
	}
	t.Run("KV", func(t *testing.T) { testKV(t, open(t)) })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEnv(t, open(t))
			tc.fn(t, e)
			e.CheckBooks()
		})
	}
}

// CheckBooks asserts the market's invariant: every held unit is owed to
// someone, and every held proof is unspent at the mint.
func (e *Env) CheckBooks() {
	e.T.Helper()
	ctx := context.Background()
	tot, err := e.Market.Report(ctx)
	if err != nil {
		e.T.Fatal(err)
	}
	if owed := tot.Owed + tot.Operator + tot.InEscrow + tot.OpenSell + tot.InFlight; tot.Held != owed {
		e.T.Errorf("books: held %d, owed %d (%+v)", tot.Held, owed, tot)
	}
	if n := e.Mint.WithDLEQ.Load(); n != 0 {
		e.T.Errorf("%d swap inputs sent with their DLEQ (NUT-12: inputs go without)", n)
	}
	unspent, other, err := e.Market.Operator().Audit(ctx)
	if err != nil || unspent != tot.Held || other != 0 {
		e.T.Errorf("audit: unspent %d, other %d, held %d, %v", unspent, other, tot.Held, err)
	}
}

// Seller makes an account with a listing of price and quantity.
func (e *Env) Seller(price, qty uint64) (string, market.Listing) {
	ctx := context.Background()
	a, err := e.Market.CreateAccount(ctx)
	if err != nil {
		e.T.Fatal(err)
	}
	l, err := e.Market.CreateListing(ctx, a.Key, market.ListingInput{Title: "Prime counting job", Description: "counts primes",
		Category: "compute", Price: price, Quantity: qty})
	if err != nil {
		e.T.Fatal(err)
	}
	return a.Key, l
}

// Account makes an account.
func (e *Env) Account() string {
	a, err := e.Market.CreateAccount(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return a.Key
}

// Balance returns an account's balance.
func (e *Env) Balance(key string) uint64 {
	a, err := e.Market.Account(context.Background(), key)
	if err != nil {
		e.T.Fatal(err)
	}
	return a.Balance
}
