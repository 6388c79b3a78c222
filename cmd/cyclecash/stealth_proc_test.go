package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStealthWorkerProcessNoGatewaySocket: the attacker is the gateway,
// which also relays and claims a huge bandwidth. The command a user types,
// `cyclecash run --role worker --worker-mode stealth`, must give it no
// socket to the worker: the kernel's socket table of the worker process
// (/proc/PID/net/tcp{,6}, matched to the process's own fds) never shows a
// connection to the gateway's port while the worker builds circuits through
// its guards to that gateway. Today's code made it an ordinary node that
// dialled the gateway directly.
func TestStealthWorkerProcessNoGatewaySocket(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six processes")
	}
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the socket-table check needs /proc/net/tcp, which CI has")
		}
		t.Skip("no /proc/net/tcp")
	}
	t.Parallel()
	base := t.TempDir()
	common := []string{"--api", "127.0.0.1:0", "--loopback-distinct", "--log-level", "warn"}
	relay := func(name string, extra ...string) []string {
		return append(append([]string{"--data", filepath.Join(base, name), "--listen", "/ip4/127.0.0.1/tcp/0"}, common...), extra...)
	}
	first := startProc(t, relay("r0")...)
	boot := first.listen[0]
	gw := startProc(t, relay("gw", "--bootstrap", boot, "--role", "relay", "--role", "gateway", "--bandwidth", "1099511627776")...)
	for i := 1; i <= 3; i++ {
		startProc(t, relay(fmt.Sprintf("r%d", i), "--bootstrap", boot)...)
	}
	gwPort := tcpPort(t, gw.listen)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		if st := statusJSON(t, ctx, filepath.Join(base, "r0")); st.Directory >= 4 || ctx.Err() != nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	w := startProc(t, append([]string{"--data", filepath.Join(base, "w"), "--role", "worker", "--worker-mode", "stealth",
		"--bootstrap", boot}, common...)...)
	if len(w.listen) != 0 {
		t.Fatal("the stealth worker listens")
	}
	pid := w.cmd.Process.Pid
	peers := map[int]bool{} // remote ports the worker ever held a socket to
	for {
		for _, port := range remotePorts(t, pid) {
			peers[port] = true
		}
		if peers[gwPort] {
			t.Fatal("the stealth worker process holds a TCP socket to the gateway")
		}
		st := statusJSON(t, ctx, filepath.Join(base, "w"))
		if len(st.Circuits) > 0 && len(peers) > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("stealth worker built no circuit (%d guards, %d sockets)", len(st.Guards), len(peers))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, port := range remotePorts(t, pid) {
		if port == gwPort {
			t.Fatal("the stealth worker process holds a TCP socket to the gateway")
		}
	}
}

// tcpPort is the TCP port of the first /tcp/ listen address.
func tcpPort(t *testing.T, listen []string) int {
	t.Helper()
	for _, s := range listen {
		if _, rest, ok := strings.Cut(s, "/tcp/"); ok {
			v, _, _ := strings.Cut(rest, "/")
			if p, err := strconv.Atoi(v); err == nil {
				return p
			}
		}
	}
	t.Fatal("no TCP listen address")
	return 0
}

// remotePorts lists the remote ports of the TCP sockets process pid holds,
// from the kernel: its fds' socket inodes looked up in /proc/PID/net/tcp
// and tcp6. Listening sockets (remote port 0) are left out.
func remotePorts(t *testing.T, pid int) []int {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var ports []int
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || !inodes[fields[9]] {
				continue
			}
			_, hexPort, _ := strings.Cut(fields[2], ":")
			if port, err := strconv.ParseUint(hexPort, 16, 16); err == nil && port != 0 {
				ports = append(ports, int(port))
			}
		}
		f.Close()
	}
	return ports
}
