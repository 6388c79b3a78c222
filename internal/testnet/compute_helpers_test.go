package testnet

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
	"cyclecash/node"
)

// childEnv turns this test binary into compute's task child (TestMain):
// workers in these tests re-execute the test binary, as the real binary
// re-executes itself with `cyclecash __task`.
const childEnv = "CYCLECASH_TESTNET_TASK_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := compute.ChildMain(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	Capture = allLogs
	code := m.Run()
	if code == 0 && !scanAllLogs() {
		code = 1
	}
	os.Exit(code)
}

var primesBuild struct {
	once sync.Once
	wasm []byte
	err  error
	out  []byte
}

// primesWasm builds examples/primes for wasip1 once per test binary run.
func primesWasm(t testing.TB) []byte {
	t.Helper()
	primesBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "testnet-wasm-")
		if err != nil {
			primesBuild.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "primes.wasm")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./examples/primes")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if primesBuild.out, primesBuild.err = cmd.CombinedOutput(); primesBuild.err == nil {
			primesBuild.wasm, primesBuild.err = os.ReadFile(out)
		}
	})
	if primesBuild.err != nil {
		t.Fatalf("building examples/primes: %v\n%s", primesBuild.err, primesBuild.out)
	}
	return primesBuild.wasm
}

// primeCount counts primes in [lo, hi) by trial division: the answer the
// workers' results are checked against.
func primeCount(lo, hi uint64) uint64 {
	n := uint64(0)
	for v := max(lo, 2); v < hi; v++ {
		prime := true
		for d := uint64(2); d*d <= v; d++ {
			if v%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			n++
		}
	}
	return n
}

// workerConfig makes a node a worker that runs tasks in this test binary.
func workerConfig(mode string) func(c *node.Config) {
	exe, _ := os.Executable()
	return func(c *node.Config) {
		c.Roles = []string{"relay", "worker"}
		if mode == node.WorkerStealth {
			c.ClientOnly, c.Listen, c.Roles = true, nil, nil
		}
		c.Compute.Mode = mode
		c.Compute.Poll = 100 * time.Millisecond
		c.WorkerForTest.ChildPath = exe
		c.WorkerForTest.ChildEnv = append(os.Environ(), childEnv+"=1")
	}
}

// gatewayConfig makes a node the gateway, able to issue units.
func gatewayConfig(c *node.Config) {
	c.Roles = []string{"relay", "gateway"}
	c.Ledger.Capacity = 10_000_000
	c.Compute.LeaseGrace = time.Second
}

// ledgerClient is an HTTP client that reaches the gateway's Cashu API
// whatever host a wallet's URL names (a stealth worker's wallet records
// the gateway as reached through the mesh).
func ledgerClient(t testing.TB, gw *node.Node) (*http.Client, string) {
	t.Helper()
	h := gw.LedgerHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/ledger") // the mesh path of a stealth wallet
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, srv.URL
}

// buyTokens mints amount units for a buyer at the gateway (a cash sale)
// and returns them as one token.
func buyTokens(t testing.TB, gw *node.Node, amount uint64) string {
	t.Helper()
	ctx := context.Background()
	hc, url := ledgerClient(t, gw)
	w, err := wallet.Create(t.TempDir(), url, hc, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := w.Buy(ctx, amount)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Ledger().PayQuote(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Mint(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	tok, err := w.Send(ctx, amount, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tokenStates returns the ledger state of every proof of a token.
func tokenStates(t *testing.T, gw *node.Node, token string) map[ledger.State]uint64 {
	t.Helper()
	tok, err := ledger.DecodeToken(token)
	if err != nil {
		t.Fatal(err)
	}
	var ys []ledger.Point
	amounts := map[ledger.Point]uint64{}
	for _, p := range tok.Proofs {
		y, err := p.Y()
		if err != nil {
			t.Fatal(err)
		}
		ys = append(ys, y)
		amounts[y] = p.Amount
	}
	states, err := gw.Ledger().Mint().CheckState(context.Background(), ys)
	if err != nil {
		t.Fatal(err)
	}
	out := map[ledger.State]uint64{}
	for _, s := range states {
		out[s.State] += amounts[s.Y]
	}
	return out
}

// primesJob is a job of n prime-counting tasks over consecutive ranges.
func primesJob(t testing.TB, n int, width uint64, budget uint64, tokens ...string) *node.JobRequest {
	req := &node.JobRequest{Module: primesWasm(t), UnitsPerTask: budget, TaskTimeoutMS: 20_000, Tokens: tokens}
	for i := range n {
		lo := uint64(i) * width
		req.Inputs = append(req.Inputs, fmt.Appendf(nil, "%d %d", lo, lo+width))
	}
	return req
}

// waitJob waits until the job stopped running and its escrow is settled.
func waitJob(ctx context.Context, t *testing.T, c *node.Client, id string) *node.JobResults {
	t.Helper()
	for {
		res, err := c.JobResults(ctx, id)
		if err == nil && res.State != "running" && res.Settled {
			return res
		}
		if ctx.Err() != nil {
			t.Fatalf("job %s did not finish: %+v %v", id, res, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
