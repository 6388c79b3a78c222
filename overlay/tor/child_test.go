package tor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const childEnv = "TOR_TEST_CHILD_DIR"

// runChild starts a tor in the directory named by the environment, prints
// its PID and waits to be killed.
func runChild() {
	cfg := Config{Dir: os.Getenv(childEnv), Torrc: strings.Split(os.Getenv("TOR_TEST_TORRC"), "\x1f")}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tr, err := Start(ctx, cfg, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("pid", tr.PID())
	select {}
}

// The attack: our process dies without Close (SIGKILL, OOM) and leaves a
// tor running that keeps our onion services up. The tor must die with us.
func TestTorDiesWithItsOwner(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, "TOR_TEST_TORRC="+strings.Join(privateNet(t).ClientTorrc(), "\x1f"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q", line)
	}
	if pids := testNetProcs(dir); len(pids) != 1 || pids[0] != pid {
		t.Fatalf("tor processes for the child's dir = %v, want [%d]", pids, pid)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for len(testNetProcs(dir)) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("tor %d outlived its owner: %v", pid, testNetProcs(dir))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
