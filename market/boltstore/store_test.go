package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"cyclecash/market"
	"cyclecash/market/boltstore"
	"cyclecash/market/storetest"
)

func open(t testing.TB) market.Store {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "market.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestContract(t *testing.T) { storetest.Run(t, open) }

// TestCrashReopen: the mint swapped but the market died before its commit;
// the database file is closed and opened again by a new market, which
// replays the persisted swap and finds the order.
func TestCrashReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "market.db")
	st, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.NewEnv(t, st)
	_, l := e.Seller(3, 1)
	buyer := e.Account()
	tok := e.Token(3)
	e.Mint.CrashAfterSwap.Store(true)
	if _, err := e.Market.BuyWithToken(context.Background(), buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok); !errors.Is(err, market.ErrMintDown) {
		t.Fatal(err)
	}
	st.Close()
	e.Mint.CrashAfterSwap.Store(false)
	st2, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	e.Store = st2
	e.Market = e.NewMarket()
	e.Clock.Advance(3 * time.Minute)
	if err := e.Market.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if os, _ := e.Market.Orders(context.Background(), buyer); len(os) != 1 {
		t.Fatalf("%d orders after reopen", len(os))
	}
	e.CheckBooks()
}

func BenchmarkPurchase(b *testing.B) { storetest.BenchPurchase(b, open(b)) }

func BenchmarkPages(b *testing.B) { storetest.BenchPages(b, open(b)) }
