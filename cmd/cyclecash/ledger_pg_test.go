package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// startPGGateways starts n gateway processes on one PostgreSQL schema,
// all holding the first one's master secret.
func startPGGateways(t *testing.T, dir string, n int) []*gateway {
	dsn := pgDSN(t)
	pg := []string{"--ledger-store", "postgres", "--ledger-postgres", dsn}
	gws := []*gateway{startGateway(t, filepath.Join(dir, "gw0"), "", pg...)}
	key, err := os.ReadFile(filepath.Join(gws[0].data, node.LedgerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		data := filepath.Join(dir, fmt.Sprint("gw", i))
		if err := os.MkdirAll(data, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(data, node.LedgerKeyFile), key, 0o600); err != nil {
			t.Fatal(err)
		}
		gws = append(gws, startGateway(t, data, "", pg...))
	}
	return gws
}

// TestTwoGatewaysOnePostgres: two gateway processes share one database;
// wallets on both receive the same token at once, so both gateways swap
// it concurrently: exactly one wins, every other gets "already spent", and
// both gateways report the same books.
func TestTwoGatewaysOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two gateway processes")
	}
	t.Parallel()
	dir := t.TempDir()
	gws := startPGGateways(t, dir, 2)
	alice := filepath.Join(dir, "alice")
	q := mustCLI(t, "wallet", "--dir", alice, "--gateway", gws[0].url, "buy", "--amount", "64")
	mustCLI(t, "ledger", "--data", gws[1].data, "quote", "pay", q) // paid at the other gateway
	mustCLI(t, "wallet", "--dir", alice, "mint", q)
	tok := mustCLI(t, "wallet", "--dir", alice, "send", "64")

	const contenders = 16
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, contenders)
	wallets := make([]*wallet.Wallet, contenders)
	for i := range contenders {
		w, err := wallet.Create(filepath.Join(dir, fmt.Sprint("w", i)), gws[i%2].url, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		wallets[i] = w
	}
	start := make(chan struct{})
	for i, w := range wallets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = w.Receive(ctx, tok)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			if wallets[i].Balance() != 64 {
				t.Fatalf("winner holds %d", wallets[i].Balance())
			}
		case !errors.Is(err, ledger.ErrAlreadySpent):
			t.Fatalf("contender %d: %v; want already spent", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent receives succeeded, want exactly 1", won, contenders)
	}
	for _, g := range gws {
		r := report(t, g.data)
		var issued, spent uint64
		for _, k := range r.Keysets {
			issued, spent = issued+k.Issued, spent+k.Spent
		}
		keysets := 1
		if crossedMidnight() {
			keysets = len(r.Keysets) // a second day's keyset may hold the receive's outputs
		}
		if r.Outstanding != 64 || !mintedTodayIs(r.MintedToday, 64) || len(r.Keysets) != keysets ||
			keysets > 2 || issued != 64+64 || spent != 64 {
			t.Fatalf("gateway %s reports %+v", filepath.Base(g.data), r)
		}
	}
}
