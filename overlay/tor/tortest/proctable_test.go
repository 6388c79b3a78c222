package tortest

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

// reuseDialer dials from 127.0.0.1:port with SO_REUSEADDR, so that two
// processes hold sockets with the same local port (as Linux's ephemeral
// ports and libp2p's dials from its listening port do).
func reuseDialer(port int) *net.Dialer {
	return &net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port},
		Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
}

// The child half of TestSocketOwnerMatchesBothEnds: it dials the address
// in the environment from the given local port, says so, and holds the
// socket until its standard input closes.
func TestMain(m *testing.M) {
	if to := os.Getenv("TORTEST_HOLD_DIAL"); to != "" {
		port, _ := strconv.Atoi(os.Getenv("TORTEST_HOLD_PORT"))
		c, err := reuseDialer(port).Dial("tcp", to)
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("ok\n")
		bufio.NewReader(os.Stdin).ReadString('\n')
		c.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A socket found by its local port alone may be another process's: two
// processes hold connections from the same port to different listeners,
// and each lookup must name its own.
func TestSocketOwnerMatchesBothEnds(t *testing.T) {
	listen := func() net.Listener {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
			}
		}()
		return l
	}
	mine, theirs := listen(), listen()
	c, err := reuseDialer(0).Dial("tcp", mine.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	from := c.LocalAddr().(*net.TCPAddr)

	child := exec.CommandContext(context.Background(), os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "TORTEST_HOLD_DIAL="+theirs.Addr().String(), "TORTEST_HOLD_PORT="+strconv.Itoa(from.Port))
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); child.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ok\n" {
		t.Fatalf("child dial from port %d: %q", from.Port, line)
	}

	cases := []struct {
		name string
		to   net.Addr
		want int
	}{
		{"ours", mine.Addr(), os.Getpid()},
		{"the child's, same local port", theirs.Addr(), child.Process.Pid},
	}
	for _, tc := range cases {
		if got := SocketOwner(from, tc.to.(*net.TCPAddr)); got != tc.want {
			t.Errorf("%s: socket %v -> %v owned by pid %d, want %d", tc.name, from, tc.to, got, tc.want)
		}
	}
	if got := SocketOwner(from, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}); got != 0 {
		t.Errorf("no socket runs to port 1, yet pid %d was named", got)
	}
}
