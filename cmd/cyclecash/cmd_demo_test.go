package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `cyclecash demo --tasks 12 --exit` in-process: the whole
// system on loopback, the job bought, computed, verified and paid. Its
// workers re-execute this test binary as the CLI for their task children.
// The summary's figures must agree with each other.
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
	if code := Main(ctx, []string{"demo", "--tasks", "12", "--exit", "--dir", t.TempDir()}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	f := summaryFigures(stdout.String())
	t.Logf("summary:\n%s", &stdout)
	switch {
	case f["tasks accepted"] != 12:
		t.Errorf("tasks accepted %d, want 12", f["tasks accepted"])
	case f["units spent by the buyer"] == 0 || f["units spent by the buyer"]+f["change returned"] != f["units bought"]:
		t.Errorf("spent %d + change %d != bought %d", f["units spent by the buyer"], f["change returned"], f["units bought"])
	case f["paid in all"] != f["paid to open workers"]+f["paid to stealth workers"]:
		t.Errorf("paid %d != credit %d + tokens %d", f["paid in all"], f["paid to open workers"], f["paid to stealth workers"])
	case f["paid in all"] < f["units spent by the buyer"]:
		t.Errorf("paid %d, less than the %d units spent: replicas unpaid", f["paid in all"], f["units spent by the buyer"])
	case f["paid to stealth workers"] == 0 || f["swapped by stealth workers"] != f["paid to stealth workers"]:
		t.Errorf("stealth paid %d, swapped %d", f["paid to stealth workers"], f["swapped by stealth workers"])
	case f["sent to a fresh wallet"] == 0 || f["circuits open"] == 0 || f["relayed bytes"] == 0:
		t.Errorf("transfer %d, circuits %d, relayed %d", f["sent to a fresh wallet"], f["circuits open"], f["relayed bytes"])
	}
	if n := strings.Count(stdout.String(), "dashboard "); n != 12 {
		t.Errorf("%d dashboard URLs, want 12", n)
	}
	if !strings.Contains(stdout.String(), "company B's market does not exist yet") {
		t.Error("the summary hides that the market does not exist")
	}
}

// summaryFigures reads the first number of every "label: N …" line.
func summaryFigures(out string) map[string]uint64 {
	f := map[string]uint64{}
	for _, m := range regexp.MustCompile(`(?m)^([a-zA-Z ]+):\s+(\d+)`).FindAllStringSubmatch(out, -1) {
		f[m[1]], _ = strconv.ParseUint(m[2], 10, 64)
	}
	return f
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
