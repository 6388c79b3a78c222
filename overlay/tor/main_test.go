package tor

import (
	"context"
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
	code := m.Run()
	if sharedTor != nil {
		sharedTor.Close()
		os.RemoveAll(sharedTor.cfg.Dir)
	}
	if testNet != nil {
		testNet.Close()
		os.RemoveAll(testNet.Dir)
	}
	os.Exit(code)
}

var (
	netOnce sync.Once
	netErr  error
)

// privateNet starts the package's private Tor network on first use (unit
// tests and fuzz targets never pay for it). A missing tor fails the test:
// these tests never skip.
func privateNet(t testing.TB) *tortest.Network {
	t.Helper()
	netOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tornet-")
		if err != nil {
			netErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
		defer cancel()
		testNet, netErr = tortest.Start(ctx, dir)
		if netErr != nil {
			os.RemoveAll(dir)
		}
	})
	if netErr != nil {
		t.Fatalf("private tor network: %v", netErr)
	}
	return testNet
}

// startClient starts a tor of ours on the private network, closed (and
// checked for orphans) at the end of the test.
func startClient(t testing.TB, mutate ...func(*Config)) *Tor {
	t.Helper()
	cfg := Config{Dir: t.TempDir(), Torrc: privateNet(t).ClientTorrc(), BootstrapTimeout: 90 * time.Second}
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
	torrc := privateNet(t).ClientTorrc()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "torclient-")
		if err != nil {
			sharedErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sharedTor, sharedErr = Start(ctx, Config{Dir: dir, Torrc: torrc}, nil)
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
