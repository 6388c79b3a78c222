package storetest

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
)

// CrashChildEnv names the plan directory of a SIGKILLMidPurchase child.
const CrashChildEnv = "CYCLECASH_MARKET_CRASH_CHILD"

// Reopen opens the one store a crash test names by where (a bbolt file, a
// PostgreSQL schema), in the test process or in its child.
type Reopen func(tb testing.TB, where string) market.Store

type crashPlan struct {
	Mint, Listing, Buyer, Where string
	Tokens                      []string
	HangAfterSwap               int64 // the swap after which the child stops
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

// CrashChild is the child of SIGKILLMidPurchase: a store package's
// TestCrashChild calls it (it skips unless run as the child). It buys with
// each planned token over the reopened store and hangs after the planned
// swap.
func CrashChild(t *testing.T, open Reopen) {
	dir := os.Getenv(CrashChildEnv)
	if dir == "" {
		t.Skip("child of a SIGKILLMidPurchase test only")
	}
	var plan crashPlan
	b, _ := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	hm := &hangingMint{Mint: &market.HTTPMint{BaseURL: plan.Mint}}
	hm.n.Store(plan.HangAfterSwap)
	m, err := market.New(context.Background(), market.Config{Store: open(t, plan.Where), Mint: hm, MintURL: plan.Mint,
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

// SIGKILLMidPurchase: a market process (this test binary, running the
// store package's TestCrashChild over the store named by where) is killed
// with SIGKILL after the mint swapped a buyer's token and before the
// market committed the order. The market restarted on the same store loses
// nothing: every token the mint shows SPENT has its order, and every held
// unit is accounted for.
func SIGKILLMidPurchase(t *testing.T, where string, open Reopen) {
	st := open(t, where)
	e := NewEnv(t, st)
	_, l := e.Seller(4, 100)
	plan := crashPlan{Mint: e.MintSrv.URL, Listing: l.ID, Buyer: e.Account(), Where: where, Tokens: e.Tokens(5, 4), HangAfterSwap: 3}
	st.Close() // bbolt: the child takes the file's lock
	dir := t.TempDir()
	b, _ := json.Marshal(plan)
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if lines := runAndKill(t, dir); strings.Join(lines, ",") != "ok 0,ok 1,swapped" {
		t.Fatalf("child said %q", lines)
	}
	e.Store = open(t, where)
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

// runAndKill runs the child with the plan in dir and SIGKILLs it once it
// says "swapped"; it returns the lines the child printed.
func runAndKill(t *testing.T, dir string) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), CrashChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
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
	return lines
}
