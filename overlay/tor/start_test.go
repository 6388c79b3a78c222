package tor

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestStartBootstrapsLogsToFileAndCloses(t *testing.T) {
	var mu sync.Mutex
	var progress []int
	tr := startClient(t, func(c *Config) {
		c.Progress = func(p int, _ string) {
			mu.Lock()
			progress = append(progress, p)
			mu.Unlock()
		}
	})
	mu.Lock()
	if len(progress) == 0 || progress[len(progress)-1] != 100 {
		t.Fatalf("progress reports %v, want ending in 100", progress)
	}
	mu.Unlock()
	st, err := os.Stat(tr.cfg.torDir())
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("tor data directory mode: %v %v", st.Mode(), err)
	}
	log, err := os.ReadFile(tr.cfg.LogPath())
	if err != nil || !strings.Contains(string(log), "Bootstrapped 100%") {
		t.Fatalf("tor.log lacks the bootstrap notice: %v", err)
	}
	// tor's own output goes to a file in its directory, not our stdout.
	out, err := os.ReadFile(filepath.Join(tr.cfg.torDir(), "stdout.log"))
	if err != nil || strings.Contains(string(out), "Bootstrapped") {
		t.Fatalf("tor notices reached its stdout: %q %v", out, err)
	}
	if tr.PID() == 0 || len(testNetProcs(tr.cfg.Dir)) != 1 {
		t.Fatalf("expected exactly our tor using the dir, got %v", testNetProcs(tr.cfg.Dir))
	}
	tr.Close()
	assertNoTor(t, tr.cfg.Dir)
	if err := tr.Err(); err != ErrClosed {
		t.Fatalf("Err after Close = %v", err)
	}
}
