package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cyclecash/node"
)

// proc is one `cyclecash run` child process.
type proc struct {
	cmd    *exec.Cmd
	listen []string
	api    string
	lines  map[string]string // other start-up lines: "ledger" -> URL, …
}

// startProc runs the test binary as the CLI and reads its start-up lines.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	args = append([]string{"--socks", "off"}, args...) // the default port would collide; a later --socks wins
	cmd := exec.Command(os.Args[0], append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = testWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: map[string]string{}}
	t.Cleanup(func() { p.stop(t) })
	sc := bufio.NewScanner(out)
	for p.api == "" && sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "listen":
			p.listen = append(p.listen, val)
		case "api":
			p.api = val
		default:
			p.lines[key] = val
		}
	}
	if p.api == "" {
		t.Fatal("node exited before reporting its API address")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return p
}

// stop sends SIGTERM and expects a clean exit.
func (p *proc) stop(t *testing.T) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("node did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		t.Error("node ignored SIGTERM")
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestThreeProcessesFindEachOther: three `cyclecash run` processes on
// loopback, two bootstrapping through the first, each end up with the other
// two in their directories, as `cyclecash status --json` reports.
func TestThreeProcessesFindEachOther(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	t.Parallel()
	base := t.TempDir()
	common := []string{"--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0", "--loopback-distinct", "--log-level", "warn"}
	first := startProc(t, append([]string{"--data", filepath.Join(base, "a")}, common...)...)
	procs := []*proc{first}
	for _, name := range []string{"b", "c"} {
		args := append([]string{"--data", filepath.Join(base, name), "--bootstrap", first.listen[0]}, common...)
		procs = append(procs, startProc(t, args...))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range procs {
		for {
			st := statusJSON(t, ctx, filepath.Join(base, string(rune('a'+i))))
			if st.Directory >= 2 {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("process %d: directory holds %d relays, want 2", i, st.Directory)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// statusJSON runs `cyclecash status --json` in-process against the node
// running in data directory dir.
func statusJSON(t *testing.T, ctx context.Context, dir string) node.Status {
	t.Helper()
	var out, errb strings.Builder
	if code := Main(ctx, []string{"status", "--data", dir, "--json"}, &out, &errb); code != 0 {
		t.Fatalf("status exited %d: %s", code, errb.String())
	}
	var st node.Status
	if err := json.Unmarshal([]byte(out.String()), &st); err != nil {
		t.Fatal(err)
	}
	return st
}
