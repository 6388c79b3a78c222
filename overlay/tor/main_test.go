package tor

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"cyclecash/overlay/tor/tortest"
)

// testNet is the private Tor network every test of the package shares.
var testNet *tortest.Network

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		runChild() // TestTorDiesWithItsOwner's child process
		return
	}
	dir, err := os.MkdirTemp("", "tornet-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	testNet, err = tortest.Start(ctx, dir)
	cancel()
	if err != nil { // never skip: a missing tor is a failure
		fmt.Fprintln(os.Stderr, "private tor network:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if sharedTor != nil {
		sharedTor.Close()
		os.RemoveAll(sharedTor.cfg.Dir)
	}
	testNet.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startClient starts a tor of ours on the private network, closed (and
// checked for orphans) at the end of the test.
func startClient(t testing.TB, mutate ...func(*Config)) *Tor {
	t.Helper()
	cfg := Config{Dir: t.TempDir(), Torrc: testNet.ClientTorrc(), BootstrapTimeout: 90 * time.Second}
	for _, f := range mutate {
		f(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tr, err := Start(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("start tor: %v", err)
	}
	t.Cleanup(func() {
		tr.Close()
		assertNoTor(t, cfg.Dir)
	})
	return tr
}

var (
	sharedOnce sync.Once
	sharedTor  *Tor
	sharedErr  error
)

// sharedClient is one client tor reused by the tests that only dial.
func sharedClient(t testing.TB) *Tor {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "torclient-")
		if err != nil {
			sharedErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sharedTor, sharedErr = Start(ctx, Config{Dir: dir, Torrc: testNet.ClientTorrc()}, nil)
	})
	if sharedErr != nil {
		t.Fatalf("shared tor client: %v", sharedErr)
	}
	return sharedTor
}

// assertNoTor fails if any process still mentions dir (a tor we started
// there), read from /proc.
func assertNoTor(t testing.TB, dir string) {
	t.Helper()
	if pids := tortest.TorProcessesUsing(dir); len(pids) != 0 {
		t.Errorf("orphan tor processes for %s: %v", dir, pids)
	}
}

func exitPIDs() []int {
	var pids []int
	for _, r := range testNet.Exits() {
		pids = append(pids, r.PID())
	}
	return pids
}

func isExitPID(pid int) bool { return pid != 0 && slices.Contains(exitPIDs(), pid) }

func testNetProcs(dir string) []int { return tortest.TorProcessesUsing(dir) }
