package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestDemoTor: `demo --tor` with a private Tor network. The attacker is a
// stealth worker's entry guard, which sees the source of every link: each
// link any node holds to a stealth worker must come from a Tor exit's
// socket (looked up in the process table), none from the demo's own
// process, and every check of the summary must hold. Without tor the test
// skips on a developer's machine and fails under CI, which installs it.
func TestDemoTor(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole system and a private Tor network in one process")
	}
	if demoRace {
		t.Skip("wazero's compiler is ~50x slower under -race")
	}
	if _, err := exec.LookPath("tor"); err != nil && os.Getenv("CI") == "" {
		t.Skip("tor is not installed (apt-get install tor); under CI this fails")
	}
	t.Setenv(asCLI, "1")
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	args := []string{"demo", "--tor", "--json", "--exit", "--dir", t.TempDir()}
	if code := Main(ctx, args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	var s struct {
		Tor *struct {
			Links     int `json:"links"`
			FromExits int `json:"from_exits"`
			FromUs    int `json:"from_us"`
			Ready     int `json:"tor_ready"`
		} `json:"tor"`
		Checks []struct {
			Name string
			OK   bool
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("demo --json printed no JSON: %v\n%s", err, &stdout)
	}
	if s.Tor == nil || s.Tor.Links == 0 || s.Tor.FromExits != s.Tor.Links || s.Tor.FromUs != 0 || s.Tor.Ready != 2 {
		t.Fatalf("the stealth workers' links: %+v", s.Tor)
	}
	found := false
	for _, c := range s.Checks {
		if !c.OK {
			t.Errorf("check %q failed", c.Name)
		}
		found = found || c.Name == "stealth workers' guards see only Tor exits"
	}
	if !found {
		t.Error("the summary has no Tor check")
	}
}
