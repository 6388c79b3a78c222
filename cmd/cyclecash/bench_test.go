package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cyclecash/internal/procstat"
)

// BenchmarkIdleNodeRSS: resident memory of one idle `cyclecash run`
// process (goal ≤ 40 MiB), beside the same binary idling without a node.
func BenchmarkIdleNodeRSS(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		idle := startIdle(b)
		n := startProcB(b, "--data", filepath.Join(dir, "n"), "--listen", "/ip4/127.0.0.1/tcp/0",
			"--listen", "/ip4/127.0.0.1/udp/0/quic-v1", "--api", "127.0.0.1:0", "--log-level", "warn")
		time.Sleep(10 * time.Second)
		b.ReportMetric(rss(b, n.Process.Pid), "MiB-node")
		b.ReportMetric(rss(b, idle.Process.Pid), "MiB-baseline")
		for _, c := range []*exec.Cmd{n, idle} {
			c.Process.Kill()
			c.Wait()
		}
	}
}

func startIdle(b *testing.B) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), asCLI+"=idle")
	return startAndWait(b, cmd)
}

func startProcB(b *testing.B, args ...string) *exec.Cmd {
	args = append([]string{"--socks", "off"}, args...) // the default port would collide; a later --socks wins
	cmd := exec.Command(os.Args[0], append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	return startAndWait(b, cmd)
}

// startAndWait starts cmd and returns once it printed its "api" line.
func startAndWait(b *testing.B, cmd *exec.Cmd) *exec.Cmd {
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4096)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "api ") {
		n, err := out.Read(buf)
		if err != nil {
			b.Fatalf("process exited before start-up: %v", err)
		}
		seen.Write(buf[:n])
	}
	go func() { // drain
		for {
			if _, err := out.Read(buf); err != nil {
				return
			}
		}
	}()
	return cmd
}

func rss(b *testing.B, pid int) float64 {
	mib, err := procstat.RSSMiB(pid)
	if err != nil {
		b.Fatal(err)
	}
	return mib
}
