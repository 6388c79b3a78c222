package tor

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Headers from tor's own test of HiddenServiceExportCircuitID
// (test_hs_service.c: circuit 666 on virtual port 42, then circuit 22)
// and HAProxy's proxy-protocol.txt (the longest TCP4/TCP6 lines, UNKNOWN).
var proxyVectors = []struct {
	line    string
	circuit uint32
	hasCirc bool
}{
	{"PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n", 666, true},
	{"PROXY TCP6 fc00:dead:beef:4dad::0:16 ::1 22 42\r\n", 22, true},
	{"PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 80\r\n", 0xffffffff, true},
	{"PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n", 0, false},
	{"PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n", 0, false},
	{"PROXY UNKNOWN\r\n", 0, false},
	{"PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n", 0, false},
}

func TestParseProxyHeaderVectors(t *testing.T) {
	for _, v := range proxyVectors {
		h, err := ParseProxyHeader(v.line)
		if err != nil {
			t.Errorf("%q: %v", v.line, err)
			continue
		}
		if id, ok := h.CircuitID(); id != v.circuit || ok != v.hasCirc {
			t.Errorf("%q: circuit %d %v, want %d %v", v.line, id, ok, v.circuit, v.hasCirc)
		}
	}
	h, _ := ParseProxyHeader(proxyVectors[0].line)
	if h.SrcPort != 666 || h.DstPort != 42 || !h.Dst.Equal(net.IPv6loopback) {
		t.Errorf("tor's header parsed as %+v", h)
	}
	for _, bad := range []string{
		"", "PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\n", "proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n",
		"PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n", "PROXY TCP4 ::1 1.2.3.4 1 2\r\n", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
		"PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n",
		"PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 +1 2\r\n", "PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n",
		"PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n", "PROXY UNKNOWN " + strings.Repeat("x", 100) + "\r\n",
		"PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r\r\n",
	} {
		if _, err := ParseProxyHeader(bad); !errors.Is(err, ErrProxyHeader) {
			t.Errorf("%q: %v, want ErrProxyHeader", bad, err)
		}
	}
}

// The reader consumes exactly the header: the client's first bytes stay.
func TestReadProxyHeaderLeavesPayload(t *testing.T) {
	r := bufio.NewReader(strings.NewReader(proxyVectors[0].line + "GET / HTTP/1.1\r\n"))
	if _, err := ReadProxyHeader(r); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if string(rest) != "GET / HTTP/1.1\r\n" {
		t.Fatalf("payload %q", rest)
	}
	long := bufio.NewReader(strings.NewReader("PROXY " + strings.Repeat("A", 200)))
	if _, err := ReadProxyHeader(long); !errors.Is(err, ErrProxyHeader) {
		t.Fatalf("a 200-byte line: %v", err)
	}
}

// Invariant: whatever parses prints back (String) to a line that parses
// to the same header, within the spec's 107 bytes, with the same circuit.
func FuzzParseProxyHeader(f *testing.F) {
	for _, v := range proxyVectors {
		f.Add(v.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		h, err := ParseProxyHeader(line)
		if err != nil {
			return
		}
		again := h.String()
		h2, err := ParseProxyHeader(again)
		if err != nil || len(again) > maxProxyLine {
			t.Fatalf("%q printed as %q: %v", line, again, err)
		}
		if h.Proto != h2.Proto || !h.Src.Equal(h2.Src) || !h.Dst.Equal(h2.Dst) || h.SrcPort != h2.SrcPort || h.DstPort != h2.DstPort {
			t.Fatalf("round trip %+v -> %+v", h, h2)
		}
		id, ok := h.CircuitID()
		if id2, ok2 := h2.CircuitID(); id != id2 || ok != ok2 {
			t.Fatalf("circuit %d %v -> %d %v", id, ok, id2, ok2)
		}
	})
}

// The attack on an exported onion service's target: a local process (or
// a misconfigured tor) connecting without a header, or with one naming no
// circuit, to pose as some circuit or as loopback. Such connections are
// closed unread; a real header yields its circuit as the remote address.
func TestCircuitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := ListenCircuits(inner)
	defer l.Close()
	send := func(pre string) net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, pre+"hello"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, bad := range []string{"GET / HTTP/1.1\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r\n", "PROXY UNKNOWN\r\n"} {
		c := send(bad)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Fatalf("%q: the connection stayed open", bad)
		}
	}
	send(proxyVectors[0].line)
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cc := c.(*CircuitConn)
	if cc.Circuit != 666 || cc.RemoteAddr().String() != "[fc00:dead:beef:4dad::29a]:666" {
		t.Fatalf("circuit %d from %s", cc.Circuit, cc.RemoteAddr())
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("payload %q %v", buf, err)
	}
	l.Close()
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("accept after close: %v", err)
	}
}
