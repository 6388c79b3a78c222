package boltstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/storetest"
)

const crashEnv = "CYCLECASH_CRASH_CHILD"

// crashSwaps is the length of the child's stream of swaps.
const crashSwaps = 500

// TestCrashChild is the child process of TestCrashSafety: it prepares
// swaps, writes them to a file, then runs them, printing "ok i" after each
// success, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("child of TestCrashSafety only")
	}
	st, err := boltstore.Open(filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := storetest.NewFixture(t, st)
	// A stream far longer than the parent waits for, so the kill lands in
	// its middle (the parent checks that it did).
	var in []ledger.Proof
	for range crashSwaps / 250 {
		in = append(in, f.Issue(ones(250)...)...)
	}
	ks := f.Keyset(in[0].ID)
	reqs := make([]ledger.SwapRequest, len(in))
	for i := range in {
		_, outs := f.Outputs(ks, 1)
		reqs[i] = ledger.SwapRequest{Inputs: in[i : i+1], Outputs: outs}
	}
	b, _ := json.Marshal(reqs)
	if err := os.WriteFile(filepath.Join(dir, "reqs.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	for i, r := range reqs {
		if _, err := f.Mint.Swap(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		fmt.Println("ok", i)
	}
	select {} // wait to be killed
}

func ones(n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// TestCrashSafety kills a process in the middle of a stream of swaps and
// checks on restart that every swap happened entirely or not at all, and
// that every swap reported done is there.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() && done < 20 {
		if n, ok := strings.CutPrefix(sc.Text(), "ok "); ok {
			fmt.Sscan(n, &done)
		}
	}
	cmd.Process.Kill() // SIGKILL, mid-stream
	cmd.Wait()
	if done < 20 {
		t.Fatalf("child stopped early after %d swaps", done)
	}
	var reqs []ledger.SwapRequest
	b, err := os.ReadFile(filepath.Join(dir, "reqs.json"))
	if err != nil || json.Unmarshal(b, &reqs) != nil {
		t.Fatalf("reading requests: %v", err)
	}
	st, err := boltstore.Open(filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := storetest.NewFixture(t, st).Mint
	spent := 0
	for i, r := range reqs {
		state := storetest.States(t, m, r.Inputs)[0]
		got, err := m.Restore(context.Background(), r.Outputs)
		if err != nil {
			t.Fatal(err)
		}
		signed := len(got.Signatures) == 1
		if (state == ledger.Spent) != signed {
			t.Fatalf("swap %d half done: input %s, output signed %v", i, state, signed)
		}
		if i <= done && state != ledger.Spent {
			t.Fatalf("swap %d was reported done but is lost", i)
		}
		if state == ledger.Spent {
			spent++
		}
	}
	if spent >= len(reqs) {
		t.Fatalf("all %d swaps were done before the kill: it did not land mid-stream", spent)
	}
	t.Logf("killed after %d reported swaps; %d on disk", done+1, spent)
}
