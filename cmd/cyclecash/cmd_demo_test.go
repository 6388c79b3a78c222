package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `cyclecash demo --json --exit` in-process: the whole
// system on loopback, the job bought, computed, verified and paid. Its
// workers re-execute this test binary as the CLI for their task children.
// The JSON summary's figures must agree with each other: every unit the
// buyer bought is spent or returned, workers are paid no more than the
// ledger consumed plus what the cap allowed it to issue, every task was
// validated, and the gateway's view (read from its stores) holds no
// stealth worker.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole system in one process")
	}
	if demoRace {
		t.Skip("wazero's compiler is ~50x slower under -race")
	}
	t.Setenv(asCLI, "1")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := Main(ctx, []string{"demo", "--json", "--exit", "--dir", t.TempDir()}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	var s struct {
		Tasks, Validated               int
		Bought, Spent, Change          uint64
		PaidOpen, PaidStealth, Swapped uint64
		Supply                         struct {
			Issued, Consumed, Outstanding uint64
			MintedToday                   uint64 `json:"minted_today"`
			DailyCap                      uint64 `json:"daily_cap"`
		}
		Gateway map[string]int
		Checks  []struct {
			Name string
			OK   bool
		}
		Dashboards []struct{ Name, URL string }
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("demo --json printed no JSON: %v\n%s", err, &stdout)
	}
	get := func(k string, v any) {
		if err := json.Unmarshal(raw[k], v); err != nil {
			t.Fatalf("field %s: %v", k, err)
		}
	}
	get("tasks", &s.Tasks)
	get("tasks_validated", &s.Validated)
	get("units_bought", &s.Bought)
	get("units_spent", &s.Spent)
	get("units_change", &s.Change)
	get("paid_open", &s.PaidOpen)
	get("paid_stealth", &s.PaidStealth)
	get("swapped", &s.Swapped)
	get("supply", &s.Supply)
	get("gateway_view_of_stealth_workers", &s.Gateway)
	get("checks", &s.Checks)
	get("dashboards", &s.Dashboards)
	paid := s.PaidOpen + s.PaidStealth
	switch {
	case s.Tasks != 12 || s.Validated != s.Tasks:
		t.Errorf("%d of %d tasks validated, want all 12", s.Validated, s.Tasks)
	case s.Spent == 0 || s.Spent+s.Change != s.Bought:
		t.Errorf("spent %d + change %d != bought %d", s.Spent, s.Change, s.Bought)
	case paid != s.Spent:
		t.Errorf("workers paid %d (credit %d + tokens %d), the buyer spent %d", paid, s.PaidOpen, s.PaidStealth, s.Spent)
	case paid > s.Supply.Consumed+s.Supply.DailyCap:
		t.Errorf("paid %d > consumed %d + allowed issuance %d", paid, s.Supply.Consumed, s.Supply.DailyCap)
	case s.Supply.Outstanding != s.Supply.Issued-s.Supply.Consumed || s.Supply.Consumed > s.Supply.Issued:
		t.Errorf("supply: issued %d, consumed %d, outstanding %d", s.Supply.Issued, s.Supply.Consumed, s.Supply.Outstanding)
	case s.Supply.MintedToday > s.Supply.DailyCap || s.Supply.Issued < s.Bought+s.PaidStealth+s.Swapped:
		t.Errorf("issued %d (today %d, cap %d): want ≥ the sale %d + stealth payouts %d + swap outputs %d", s.Supply.Issued, s.Supply.MintedToday, s.Supply.DailyCap, s.Bought, s.PaidStealth, s.Swapped)
	case s.PaidStealth == 0 || s.Swapped != s.PaidStealth:
		t.Errorf("stealth paid %d, swapped %d", s.PaidStealth, s.Swapped)
	}
	if s.Gateway["stealth_workers"] != 2 || s.Gateway["records_with_peer_id"]+s.Gateway["connections"]+s.Gateway["known_addresses"] != 0 {
		t.Errorf("the gateway's view of the stealth workers: %v", s.Gateway)
	}
	if len(s.Checks) < 7 {
		t.Errorf("%d checks, want the job's, the money's, the supply's and the gateway's", len(s.Checks))
	}
	for _, c := range s.Checks {
		if !c.OK {
			t.Errorf("check %q failed", c.Name)
		}
	}
	if len(s.Dashboards) != 12 {
		t.Errorf("%d dashboard URLs, want 12", len(s.Dashboards))
	}
	if !strings.Contains(stderr.String(), "demo: [12/12]") {
		t.Errorf("progress never reached its last step:\n%s", &stderr)
	}
}

// TestDemoNeedsModule: outside a source tree and without --wasm, the demo
// says in one line what it needs.
func TestDemoNeedsModule(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"demo", "--exit"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "cyclecash: demo: no --wasm FILE given") {
		t.Fatalf("exit %d, stderr %q", code, &stderr)
	}
	if code := Main(context.Background(), []string{"demo", "--tasks", "0"}, &stdout, &stderr); code != 1 {
		t.Fatalf("--tasks 0: exit %d", code)
	}
}
