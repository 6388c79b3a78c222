package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cyclecash/node"

	"cyclecash/internal/pgutil/pgtest"
)

// gateway is one `cyclecash run --role gateway` child process.
type gateway struct {
	*proc
	data string
	url  string // the Cashu API, http://HOST:PORT
}

// startGateway runs a gateway on data with its ledger on HTTP (on addr,
// or a restartablePort when addr is "") and returns once it listens.
func startGateway(t *testing.T, data, addr string, args ...string) *gateway {
	t.Helper()
	if addr == "" {
		addr = restartablePort(t)
	}
	args = append([]string{"--data", data, "--role", "gateway", "--listen", "/ip4/127.0.0.1/tcp/0",
		"--log-level", "warn", "--ledger-http", addr, "--ledger-capacity", "3000000"}, args...)
	g := &gateway{proc: startProc(t, args...), data: data}
	if g.url = g.lines["ledger"]; g.url == "" {
		t.Fatal("gateway did not report its ledger address")
	}
	return g
}

// kill SIGKILLs the gateway.
func (g *gateway) kill() {
	g.cmd.Process.Kill()
	g.cmd.Wait()
}

// hostPort is the gateway's ledger address without the scheme.
func (g *gateway) hostPort() string { return strings.TrimPrefix(g.url, "http://") }

// cli runs the CLI in-process and returns stdout, stderr and the status.
func cli(args ...string) (string, string, int) {
	var out, errb strings.Builder
	code := Main(context.Background(), args, &out, &errb)
	return strings.TrimSpace(out.String()), strings.TrimSpace(errb.String()), code
}

// mustCLI runs the CLI and fails the test unless it succeeds.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := cli(args...)
	if code != 0 {
		t.Fatalf("cyclecash %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// failCLI runs the CLI and fails the test unless it fails with one error
// line containing want.
func failCLI(t *testing.T, want string, args ...string) {
	t.Helper()
	_, errs, code := cli(args...)
	lines := strings.Split(errs, "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.HasPrefix(last, "cyclecash: ") || !strings.Contains(last, want) {
		t.Fatalf("cyclecash %s: exit %d, stderr %q; want one error line with %q", strings.Join(args, " "), code, errs, want)
	}
}

// report fetches the ledger report through the CLI.
func report(t *testing.T, data string, extra ...string) node.LedgerReport {
	t.Helper()
	var r node.LedgerReport
	out := mustCLI(t, append([]string{"ledger", "--data", data, "report", "--json"}, extra...)...)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// post sends a JSON body (or raw bytes) to the gateway and returns the
// status and the decoded answer.
func post(t *testing.T, url string, body any) (int, map[string]any) {
	t.Helper()
	raw, ok := body.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]any
	json.NewDecoder(resp.Body).Decode(&ans)
	return resp.StatusCode, ans
}

// httpPost posts body and returns the status once the answer is read.
func httpPost(url string, body []byte) (int, error) {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// pgDSN returns a DSN for a fresh schema of the test database, dropped
// (with the gateway queue's schema beside it) after the test.
func pgDSN(t *testing.T) string {
	t.Helper()
	dsn, schema := pgtest.Schema(t, "clitest")
	return pgtest.SearchPath(dsn, schema)
}

// processDay is the UTC day the test binary started on. Every unit a test
// mints is minted after it, so while the day is unchanged "minted today" is
// all of them; a run that crosses midnight can only check that today's
// share is no larger (the day rule itself is tested in ledger/).
var processDay = time.Now().UTC().Format(time.DateOnly)

func crossedMidnight() bool { return time.Now().UTC().Format(time.DateOnly) != processDay }

// mintedTodayIs reports whether a report's minted_today fits the want units
// this test minted.
func mintedTodayIs(got, want uint64) bool {
	if crossedMidnight() {
		return got <= want
	}
	return got == want
}

// restartablePort returns a free loopback HOST:PORT a gateway can be
// restarted on (its wallets remember the address). It lies below the
// kernel's ephemeral range, so while the gateway is down no listener on
// port 0 and no outgoing connection of this machine is given it, as could
// happen to a port the kernel chose. Without /proc it falls back to :0.
func restartablePort(t *testing.T) string {
	t.Helper()
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				lo = n
			}
		}
	}
	if lo <= 10000 {
		return "127.0.0.1:0"
	}
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(lo-10000))
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no free port below the ephemeral range")
	return ""
}
