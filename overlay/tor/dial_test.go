package tor

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"cyclecash/overlay/tor/tortest"
)

// acceptor records the remote address of every connection it accepts and
// answers each with one line: the remote port it saw.
func acceptor(t testing.TB) net.Listener {
	t.Helper()
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
			go func() {
				from := c.RemoteAddr().(*net.TCPAddr)
				port := from.Port
				// Identify the sending process while the socket is open.
				owner := tortest.SocketOwner(from, c.LocalAddr().(*net.TCPAddr))
				_, _ = io.WriteString(c, strconv.Itoa(port)+" "+strconv.Itoa(owner)+"\n")
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	return l
}

func readSeen(t *testing.T, c net.Conn) (port, owner int) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(buf[:n]))
	port, _ = strconv.Atoi(f[0])
	owner, _ = strconv.Atoi(f[1])
	return port, owner
}

func dialCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The attack: a guard (the destination) learns the worker's address. The
// connection it sees must come from a Tor exit's process, not ours.
func TestDialServerSeesAnExit(t *testing.T) {
	tr := sharedClient(t)
	l := acceptor(t)
	c, err := tr.Dial(dialCtx(t), l.Addr().String(), "guard-1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	port, owner := readSeen(t, c)
	if port == c.LocalAddr().(*net.TCPAddr).Port {
		t.Fatal("the server saw our own socket")
	}
	if !isExitPID(owner) {
		t.Fatalf("the server's peer socket belongs to pid %d, not an exit %v (we are the test process)", owner, exitPIDs())
	}
}

// The attack: two guards correlate a worker because its links share one
// Tor circuit (same exit, same circuit). Different isolation keys must get
// different circuits; the same key may share one (tor decides, and under
// load it builds a fresh one).
func TestDialIsolationPerKey(t *testing.T) {
	tr := sharedClient(t)
	circ := func(key string) string {
		l := acceptor(t) // one target per dial identifies the stream
		c, err := tr.Dial(dialCtx(t), l.Addr().String(), key)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		readSeen(t, c)
		id, err := tr.circuitTo(l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a1, b, a2 := circ("guard-a"), circ("guard-b"), circ("guard-a")
	if a1 == b || a2 == b {
		t.Fatalf("guards a and b share a circuit (a: %s, %s; b: %s)", a1, a2, b)
	}
}

// A refusing destination is one clear error, not a hang or a generic one.
func TestDialRefusedIsErrExitRefused(t *testing.T) {
	tr := sharedClient(t)
	ports, err := tortest.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Dial(dialCtx(t), "127.0.0.1:"+strconv.Itoa(ports[0]), "")
	if !errors.Is(err, ErrExitRefused) {
		t.Fatalf("dial to a closed port: %v, want ErrExitRefused", err)
	}
	if strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error names the address or spans lines: %q", err)
	}
}
