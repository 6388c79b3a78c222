package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cyclecash/internal/demo"
	"cyclecash/node"
)

// demoSummary is the part of `demo --json` the test compares with what
// the parties' own stores and control APIs say.
type demoSummary struct {
	Job         string `json:"job"`
	Tasks       int    `json:"tasks"`
	Validated   int    `json:"tasks_validated"`
	Bought      uint64 `json:"units_bought"`
	Spent       uint64 `json:"units_spent"`
	Change      uint64 `json:"units_change"`
	PaidOpen    uint64 `json:"paid_open"`
	PaidStealth uint64 `json:"paid_stealth"`
	Supply      struct {
		Issued      uint64 `json:"issued"`
		Consumed    uint64 `json:"consumed"`
		Outstanding uint64 `json:"outstanding"`
		MintedToday uint64 `json:"minted_today"`
		DailyCap    uint64 `json:"daily_cap"`
	} `json:"supply"`
	Market struct {
		Order string `json:"order"`
		Spent bool   `json:"spent"`
	} `json:"market"`
	Checks []struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
	} `json:"checks"`
	Dashboards []struct{ Name, URL string } `json:"dashboards"`
}

// TestDemo runs `cyclecash demo --json --dir D` as its own process, reads
// its summary, and, while the demo serves its dashboards, asks the
// parties themselves, not the summary: each node's `status` (which node
// is the gateway, the buyer, an open or a stealth worker, and their peer
// IDs), the gateway's `ledger report` (issued, consumed, today's issuance
// and cap, from its store), the open workers' `worker statement`, and the
// job's results through the buyer (each output checked against a prime
// count computed here). Then Ctrl-C: the demo must stop within seconds,
// exit 0, and leave every store closed (the gateway's ledger opens
// offline). Last, every file of the gateway's data directory is scanned
// for the stealth workers' peer IDs. Its workers re-execute this test
// binary as the CLI for their task children.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole system in one process")
	}
	if demoRace {
		t.Skip("wazero's compiler is ~50x slower under -race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	p := startDemo(t, "demo", "--json", "--dir", dir)
	var s demoSummary
	if err := p.summary(ctx, &s); err != nil {
		t.Fatalf("demo --json printed no summary: %v\nstderr:\n%s", err, p.stderr.String())
	}
	for _, c := range s.Checks {
		if !c.OK {
			t.Errorf("the demo's own check %q failed", c.Name)
		}
	}
	if s.Market.Order == "" || !s.Market.Spent {
		t.Errorf("market order %q spent %v", s.Market.Order, s.Market.Spent)
	}
	if !strings.Contains(p.stderr.String(), "demo: [12/12]") {
		t.Errorf("progress never reached its last step:\n%s", p.stderr.String())
	}
	roles := demoRoles(t, ctx, filepath.Join(dir, "nodes"))
	checkDemoLedger(t, &s, roles)
	checkDemoResults(t, ctx, &s, roles.buyer)
	checkDemoDashboards(t, &s, roles)

	// Ctrl-C while it serves: a clean stop, every node closed.
	if err := p.interrupt(t, 30*time.Second); err != nil {
		t.Errorf("Ctrl-C while serving: %v, want exit 0\n%s", err, p.stderr.String())
	}
	if _, err := net.DialTimeout("tcp", roles.gatewayAPI, time.Second); err == nil {
		t.Errorf("the gateway's control API still answers after Ctrl-C")
	}
	if r := report(t, roles.gateway); r.Outstanding != s.Supply.Outstanding {
		t.Errorf("the gateway's ledger, read offline after the demo: outstanding %d, the summary said %d", r.Outstanding, s.Supply.Outstanding)
	}
	checkNoStealthRecords(t, roles)
}

// demoNodes are the demo's data directories by role, found from each
// node's own status and files, and the stealth workers' peer IDs.
type demoNodes struct {
	gateway, gatewayAPI, buyer string
	open, stealth              []string
	stealthIDs                 []stealthID
}

// stealthID is a stealth worker's peer ID as bytes and as text.
type stealthID struct{ raw, text string }

func demoRoles(t *testing.T, ctx context.Context, nodes string) demoNodes {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(nodes, "n*"))
	if err != nil {
		t.Fatal(err)
	}
	var r demoNodes
	has := func(d, f string) bool { _, err := os.Stat(filepath.Join(d, f)); return err == nil }
	for _, d := range dirs {
		st := statusJSON(t, ctx, d)
		switch {
		case has(d, "ledger.db"):
			r.gateway = d
			api, _ := os.ReadFile(filepath.Join(d, "api.addr"))
			r.gatewayAPI = strings.TrimSpace(string(api))
		case has(d, "jobs"):
			r.buyer = d
		case has(d, "compute") && len(st.Addrs) == 0:
			tg, err := node.ParseTarget(st.Peer)
			if err != nil || tg.Peer == "" {
				t.Fatalf("%s: status peer %q: %v", d, st.Peer, err)
			}
			r.stealth, r.stealthIDs = append(r.stealth, d), append(r.stealthIDs, stealthID{raw: string(tg.Peer), text: st.Peer})
		case has(d, "compute"):
			r.open = append(r.open, d)
		}
	}
	if r.gateway == "" || r.buyer == "" || len(r.open) != 2 || len(r.stealth) != 2 {
		t.Fatalf("the demo's nodes: gateway %q, buyer %q, open workers %q, stealth workers %q", r.gateway, r.buyer, r.open, r.stealth)
	}
	return r
}

// checkDemoLedger compares the summary's money with the gateway's ledger
// report and the open workers' statements: workers are paid no more than
// the units consumed plus what the cap allowed the gateway to issue.
func checkDemoLedger(t *testing.T, s *demoSummary, r demoNodes) {
	t.Helper()
	rep := report(t, r.gateway)
	var issued, consumed uint64
	for _, k := range rep.Keysets {
		issued += k.Issued
		consumed += k.Spent
		if k.Spent > k.Issued {
			t.Errorf("keyset %s: spent %d > issued %d", k.ID, k.Spent, k.Issued)
		}
	}
	if issued != s.Supply.Issued || consumed != s.Supply.Consumed || rep.Outstanding != s.Supply.Outstanding ||
		rep.MintedToday != s.Supply.MintedToday || rep.DailyCap != s.Supply.DailyCap {
		t.Errorf("the gateway's store: issued %d, consumed %d, outstanding %d, today %d of cap %d; the summary: %+v",
			issued, consumed, rep.Outstanding, rep.MintedToday, rep.DailyCap, s.Supply)
	}
	if rep.DailyCap == 0 || rep.MintedToday > rep.DailyCap {
		t.Errorf("issued today %d, daily cap %d", rep.MintedToday, rep.DailyCap)
	}
	var open uint64
	for _, w := range r.open {
		var st statement
		if err := json.Unmarshal([]byte(mustCLI(t, "worker", "statement", "--data", w, "--json")), &st); err != nil {
			t.Fatal(err)
		}
		for _, wk := range st.Weeks {
			open += wk.Earned
		}
	}
	if open != s.PaidOpen {
		t.Errorf("the open workers' statements at the gateway: %d units earned; the summary: %d", open, s.PaidOpen)
	}
	if paid := open + s.PaidStealth; paid == 0 || paid > consumed+rep.DailyCap || paid != s.Spent {
		t.Errorf("paid %d (open %d + stealth %d): want the buyer's %d spent, ≤ consumed %d + daily cap %d",
			paid, open, s.PaidStealth, s.Spent, consumed, rep.DailyCap)
	}
	if s.Spent+s.Change != s.Bought || issued < s.Bought+s.PaidStealth {
		t.Errorf("bought %d, spent %d, change %d; issued %d, stealth payouts %d", s.Bought, s.Spent, s.Change, issued, s.PaidStealth)
	}
}

var demoJobState = regexp.MustCompile(`(?m)^tasks\s+(\d+) \((\d+) accepted, 0 failed\)$`)

// checkDemoResults fetches the job's results through the buyer's node
// and checks every task's output: the count of primes in its range of
// 20,000 (the demo's sample job), computed here with a sieve.
func checkDemoResults(t *testing.T, ctx context.Context, s *demoSummary, buyer string) {
	t.Helper()
	recs, _ := filepath.Glob(filepath.Join(buyer, "jobs", "j*.json"))
	if len(recs) != 1 || strings.TrimSuffix(filepath.Base(recs[0]), ".json") != s.Job {
		t.Fatalf("the buyer's job records %q, the summary's job %q", recs, s.Job)
	}
	m := demoJobState.FindStringSubmatch(mustCLI(t, "job", "status", s.Job, "--data", buyer))
	if m == nil || m[1] != "12" || m[2] != "12" || s.Tasks != 12 || s.Validated != 12 {
		t.Errorf("job status through the buyer: %q; the summary: %d of %d validated", m, s.Validated, s.Tasks)
	}
	out := t.TempDir()
	mustCLI(t, "job", "results", s.Job, "--data", buyer, "--out", out)
	const width = 20_000
	composite := make([]bool, 12*width)
	for i := 2; i*i < len(composite); i++ {
		for j := i * i; j < len(composite); j += i {
			composite[j] = true
		}
	}
	for i := range 12 {
		want := 0
		for v := max(i*width, 2); v < (i+1)*width; v++ {
			if !composite[v] {
				want++
			}
		}
		got, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("task-%05d.out", i)))
		if err != nil || string(got) != fmt.Sprintf("%d\n", want) {
			t.Errorf("task %d: result %q (%v), want %d primes", i, got, err, want)
		}
	}
}

// demoPages is what each kind of the demo's dashboards must show (a
// chart's or section's id), and must not.
var demoPages = []struct {
	prefix    string
	want, not []string
}{
	{"gateway", []string{`id="issuance"`, `id="outstanding"`, `id="tasks-rate"`, `id="workers"`, `id="escrow"`}, nil},
	{"open worker", []string{`id="worker-tasks"`, `id="earnings"`, `id="credit"`, `id="cells-rate"`}, []string{`id="gateway"`}},
	{"stealth worker", []string{`id="worker-tasks"`, `id="earnings"`, `id="wallet-expiry"`}, []string{`id="relay"`, `id="gateway"`}},
	{"market", []string{`id="orders-rate"`, `id="orders"`, `id="market-escrow"`, `id="cashout"`}, []string{`id="gateway"`}},
	{"relay", []string{`id="cells-rate"`, `id="relay-circuits"`}, []string{`id="gateway"`, `id="worker"`}},
	{"buyer", []string{`id="cells-rate"`}, []string{`id="gateway"`}},
}

// checkDemoDashboards fetches every node's dashboard from the URL the
// summary gave: one per node, market included, each showing its role's
// charts, none naming a network address or a stealth worker.
func checkDemoDashboards(t *testing.T, s *demoSummary, r demoNodes) {
	t.Helper()
	if want := 1 + 1 + len(r.open) + len(r.stealth) + 1 + 6; len(s.Dashboards) != want {
		t.Errorf("%d dashboards, want %d (every node's, the market's too)", len(s.Dashboards), want)
	}
	seen := map[string]bool{}
	for _, db := range s.Dashboards {
		jar, _ := cookiejar.New(nil)
		resp, err := (&http.Client{Jar: jar, Timeout: 20 * time.Second}).Get(db.URL)
		if err != nil {
			t.Errorf("dashboard %s: %v", db.Name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("dashboard %s: %s", db.Name, resp.Status)
			continue
		}
		for _, p := range demoPages {
			if !strings.HasPrefix(db.Name, p.prefix) {
				continue
			}
			seen[p.prefix] = true
			for _, w := range p.want {
				if !strings.Contains(page, w) {
					t.Errorf("dashboard %s lacks %s", db.Name, w)
				}
			}
			for _, n := range p.not {
				if strings.Contains(page, n) {
					t.Errorf("dashboard %s shows %s", db.Name, n)
				}
			}
		}
		for _, leak := range []string{"127.0.0.1", "/ip4/"} {
			if strings.Contains(page, leak) {
				t.Errorf("dashboard %s names %q", db.Name, leak)
			}
		}
		for _, id := range r.stealthIDs {
			if !strings.HasPrefix(db.Name, "stealth") && strings.Contains(page, id.text) {
				t.Errorf("dashboard %s names stealth worker %s", db.Name, id)
			}
		}
	}
	if len(seen) != len(demoPages) {
		t.Errorf("dashboards of %v, want one of each of the %d kinds", seen, len(demoPages))
	}
}

// checkNoStealthRecords scans every file the gateway wrote for the
// stealth workers' peer IDs, raw or as text.
func checkNoStealthRecords(t *testing.T, r demoNodes) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(r.gateway, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, id := range r.stealthIDs {
			if bytes.Contains(b, []byte(id.raw)) || bytes.Contains(b, []byte(id.text)) {
				t.Errorf("the gateway's %s holds stealth worker %s", filepath.Base(path), id)
			}
		}
		return nil
	})
	if err != nil || files < 3 {
		t.Fatalf("scanned %d of the gateway's files: %v", files, err)
	}
}

// demoProc is a `cyclecash demo` process: its stdout read as it comes,
// its stderr kept.
type demoProc struct {
	cmd    *exec.Cmd
	out    *bufio.Reader
	stderr *lockedBuffer
}

// startDemo runs the test binary as the CLI with args.
func startDemo(t *testing.T, args ...string) *demoProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &demoProc{cmd: cmd, out: bufio.NewReader(out), stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

// summary decodes the JSON summary from stdout, giving up with ctx.
func (p *demoProc) summary(ctx context.Context, v any) error {
	done := make(chan error, 1)
	go func() { done <- json.NewDecoder(p.out).Decode(v) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		p.cmd.Process.Kill()
		return ctx.Err()
	}
}

// waitLine reads stderr until a line holds want, giving up after d.
func (p *demoProc) waitLine(t *testing.T, want string, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(p.stderr.String(), want) {
			return
		}
	}
	t.Fatalf("no %q on stderr after %s:\n%s", want, d, p.stderr.String())
}

// interrupt sends SIGINT and waits for the process to end, failing the
// test if it takes longer than d.
func (p *demoProc) interrupt(t *testing.T, d time.Duration) error {
	t.Helper()
	go io.Copy(io.Discard, p.out)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if strings.Contains(p.stderr.String(), "panic") || strings.Contains(p.stderr.String(), "goroutine ") {
			t.Errorf("Ctrl-C: the demo panicked:\n%s", p.stderr.String())
		}
		return err
	case <-time.After(d):
		p.cmd.Process.Kill()
		t.Fatalf("the demo did not stop within %s of Ctrl-C:\n%s", d, p.stderr.String())
		return nil
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemoInterrupted: Ctrl-C while the network starts stops every node
// within seconds, says so in one line, exits 1, and removes the demo's
// temporary directory.
func TestDemoInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the demo's network")
	}
	if demoRace {
		t.Skip("16 s under -race (1 s without); CI's demo step runs it")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p := startDemo(t, "demo", "--exit")
	p.waitLine(t, "demo: [2/12]", 2*time.Minute)
	err := p.interrupt(t, 20*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("exit %v, want 1", err)
	}
	if !strings.HasSuffix(p.stderr.String(), "cyclecash: demo: interrupted; every node was stopped\n") {
		t.Errorf("stderr does not end with the interruption's line:\n%s", p.stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "cyclecash-demo-*")); len(left) != 0 {
		t.Errorf("the demo left %q behind", left)
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

// TestDemoFailedCheckExits1: a summary with a check that does not hold
// is printed (the check marked false) and the demo exits 1 with one line
// naming the check.
func TestDemoFailedCheckExits1(t *testing.T) {
	s := &demo.Summary{Checks: []demo.Check{{Name: "every task validated", OK: true},
		{Name: "supply invariant", OK: false, Detail: "keyset k: issued 3, spent 5"}}}
	err := s.Verdict()
	if !errors.Is(err, demo.ErrCheckFailed) {
		t.Fatalf("verdict %v, want ErrCheckFailed", err)
	}
	for _, asJSON := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		code := exitCode(finishDemo(&stdout, s, nil, asJSON, err), &stderr)
		if code != 1 || stderr.String() != "cyclecash: demo: a check failed: supply invariant: keyset k: issued 3, spent 5\n" {
			t.Errorf("json %v: exit %d, stderr %q", asJSON, code, &stderr)
		}
		if want := map[bool]string{false: "check FAIL supply invariant", true: `"ok": false`}[asJSON]; !strings.Contains(stdout.String(), want) {
			t.Errorf("json %v: the summary lacks %q:\n%s", asJSON, want, &stdout)
		}
	}
	if err := (&demo.Summary{}).Verdict(); err == nil {
		t.Error("a summary without checks passed")
	}
}

// TestDemoServesFor: --for DURATION serves that long, then returns; a
// Ctrl-C (ctx) ends it sooner.
func TestDemoServesFor(t *testing.T) {
	var out, errb bytes.Buffer
	start := time.Now()
	if err := serveDemo(context.Background(), nil, "", 200*time.Millisecond, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("--for 200ms served %s", d)
	}
	if !strings.Contains(errb.String(), "serving the dashboards for 200ms; Ctrl-C stops sooner") {
		t.Errorf("stderr %q", &errb)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	if err := serveDemo(ctx, nil, "", time.Hour, &out, &errb); err != nil || time.Since(start) > 5*time.Second {
		t.Errorf("--for 1h after Ctrl-C: %v after %s", err, time.Since(start))
	}
}
