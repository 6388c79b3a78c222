package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cyclecash/compute"
)

// TestMain makes this test binary the workers' task child, as the real
// binary is (`cyclecash __task`).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == compute.ChildCommand {
		if err := compute.ChildMain(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSpendAtMarket: after the job story, a stealth worker buys a listing
// at the market with units it earned; its token is SPENT at the gateway,
// the same token again is refused, its change comes back, and the seller's
// withdrawal reaches a fresh wallet.
func TestSpendAtMarket(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole system in one process")
	}
	if raceEnabled {
		t.Skip("wazero's compiler is ~50x slower under -race; cmd's TestDemo runs this without it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	wasm, err := BuildPrimes(ctx, filepath.Join(dir, "primes.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Start(ctx, Options{Dir: filepath.Join(dir, "nodes"), Wasm: wasm, Tasks: 6, Relays: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sum, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := sum.Market.(*MarketSummary)
	if !ok {
		t.Fatalf("the demo's summary has no market part: %T", sum.Market)
	}
	for _, c := range m.Checks() {
		if !c.OK {
			t.Errorf("market check %q fails: %s", c.Name, c.Detail)
		}
	}
	if !m.Spent || m.Withdrawn != m.Price || m.Change != m.Paid-m.Price || m.Order == "" {
		t.Fatalf("market summary: %+v", m)
	}
	if !strings.Contains(m.ReplayError, "already used") {
		t.Fatalf("the same token again: %q", m.ReplayError)
	}
}
