package boltstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/ledger"
	lstoretest "cyclecash/ledger/storetest"
	"cyclecash/market"
	"cyclecash/market/boltstore"
	"cyclecash/market/storetest"
)

const crashEnv = "CYCLECASH_MARKET_CRASH_CHILD"

type crashPlan struct {
	Mint, Listing, Buyer string
	Tokens               []string
	HangAfterSwap        int64 // the swap after which the child stops
}

// hangingMint stops the process in its tracks right after the mint
// answered swap number n: the answer is in hand, nothing is committed.
type hangingMint struct {
	market.Mint
	n, count atomic.Int64
}

func (h *hangingMint) Swap(ctx context.Context, req ledger.SwapRequest) ([]ledger.BlindSignature, error) {
	sigs, err := h.Mint.Swap(ctx, req)
	if h.count.Add(1) == h.n.Load() {
		os.Stdout.WriteString("swapped\n")
		select {} // wait for SIGKILL
	}
	return sigs, err
}

// TestCrashChild is the child of TestSIGKILLMidPurchase.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("child of TestSIGKILLMidPurchase only")
	}
	var plan crashPlan
	b, _ := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(filepath.Join(dir, "market.db"))
	if err != nil {
		t.Fatal(err)
	}
	hm := &hangingMint{Mint: &market.HTTPMint{BaseURL: plan.Mint}}
	hm.n.Store(plan.HangAfterSwap)
	m, err := market.New(context.Background(), market.Config{Store: st, Mint: hm, MintURL: plan.Mint,
		Now: func() time.Time { return lstoretest.Start }})
	if err != nil {
		t.Fatal(err)
	}
	for i, tok := range plan.Tokens {
		if _, err := m.BuyWithToken(context.Background(), plan.Buyer, market.Item{Listing: plan.Listing, Qty: 1, Price: 4}, tok); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("ok " + string(rune('0'+i)) + "\n")
	}
}

// TestSIGKILLMidPurchase: a market process is killed with SIGKILL after
// the mint swapped a buyer's token and before the market committed the
// order. The restarted market loses nothing: every token the mint shows
// SPENT has its order, and every held unit is accounted for.
func TestSIGKILLMidPurchase(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "market.db"))
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.NewEnv(t, st)
	_, l := e.Seller(4, 100)
	plan := crashPlan{Mint: e.MintSrv.URL, Listing: l.ID, Buyer: e.Account(), Tokens: e.Tokens(5, 4), HangAfterSwap: 3}
	st.Close()
	b, _ := json.Marshal(plan)
	os.WriteFile(filepath.Join(dir, "plan.json"), b, 0o600)

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "swapped" {
			cmd.Process.Kill() // SIGKILL
			break
		}
	}
	cmd.Wait()
	if strings.Join(lines, ",") != "ok 0,ok 1,swapped" {
		t.Fatalf("child said %q", lines)
	}

	st2, err := boltstore.Open(filepath.Join(dir, "market.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	e.Store, e.Market = st2, nil
	e.Market = e.NewMarket()
	e.Clock.Advance(3 * time.Minute)
	if err := e.Market.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	orders, _ := e.Market.Orders(context.Background(), plan.Buyer)
	spent := 0
	for _, tok := range plan.Tokens {
		if e.State(tok)[0] == ledger.Spent {
			spent++
		}
	}
	if spent != 3 || len(orders) != 3 {
		t.Fatalf("%d tokens spent at the mint, %d orders; want 3 and 3", spent, len(orders))
	}
	e.CheckBooks()
}
