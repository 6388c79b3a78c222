package tortest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// TorProcessesUsing returns the PIDs of every running process (from /proc)
// whose command line or torrc data directory mentions dir: a test asserts
// it is empty after a tor it started should have gone.
func TorProcessesUsing(dir string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || zombie(pid) {
			continue
		}
		if strings.Contains(strings.ReplaceAll(string(cmdline), "\x00", " "), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || len(s) < i+3 || s[i+2] == 'Z'
}

// SocketOwner returns the PID of the process holding the TCP socket that
// runs from the loopback address from to to (from /proc/net/tcp and
// /proc/PID/fd), or 0. Both ends are matched: Linux gives outgoing
// connections to different destinations the same ephemeral port, and
// libp2p dials from its listening port, so a local port alone can name
// another process's socket.
func SocketOwner(from, to *net.TCPAddr) int {
	inode := socketInode(from, to)
	if inode == "" {
		return 0
	}
	want := "socket:[" + inode + "]"
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join("/proc", e.Name(), "fd"))
		for _, fd := range fds {
			if l, _ := os.Readlink(filepath.Join("/proc", e.Name(), "fd", fd.Name())); l == want {
				return pid
			}
		}
	}
	return 0
}

// procAddr is an IPv4 address and port as /proc/net/tcp prints them: the
// address as a little-endian 32-bit word in hex, then the port.
func procAddr(a *net.TCPAddr) string {
	ip := a.IP.To4()
	if ip == nil {
		return ""
	}
	return fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], a.Port)
}

// socketInode finds the inode of the socket from -> to in /proc/net/tcp.
func socketInode(from, to *net.TCPAddr) string {
	local, remote := procAddr(from), procAddr(to)
	if local == "" || remote == "" {
		return ""
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 9 && fields[1] == local && fields[2] == remote && fields[9] != "0" {
			return fields[9]
		}
	}
	return ""
}
