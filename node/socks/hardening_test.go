package socks

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// A page hands the proxy a name that is not ASCII but folds to a .mesh name
// (U+212A KELVIN SIGN lower-cases to 'k'): it is refused, not dialled as
// the ASCII name it resembles.
func TestProxyNonASCIIName(t *testing.T) {
	noDNS(t)
	f := &fakeMesh{}
	addr := startServer(t, f)
	for _, name := range []string{strings.Replace(testName, "k", "\u212a", 1), "a\x00b.mesh", "\u212a.mesh"} {
		req := Request{Cmd: CmdConnect, Atyp: AtypDomain, Name: name, Port: 80}.Append(nil)
		if got := raw(t, addr, req); got != RepNotAllowed {
			t.Errorf("%q: reply %#x", name, got)
		}
	}
	if n := f.calls(); n != 0 {
		t.Fatalf("dialled %v", f.names)
	}
}

// A local program opens connections and sends nothing (slowloris): the
// handshake deadline closes them.
func TestSilentClientCut(t *testing.T) {
	addr := startServerWith(t, &Server{Dial: (&fakeMesh{}).dial, HandshakeTimeout: 20 * time.Millisecond})
	for _, sent := range [][]byte{nil, {5}, {5, 1, 0, 5, 1}} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(sent)
		c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure bound, not synchronization
		b, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("after %x: the server kept a silent client open", sent)
		}
		if len(sent) == 5 && len(b) != 2 {
			t.Fatalf("method reply %x", b)
		}
		c.Close()
	}
}

// The node shuts down while a stream is open to a service that neither
// writes nor closes: Serve must close the upstream too and return, not
// wait for the service forever.
func TestServeReturnsWithIdleUpstream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	idle := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			idle <- c // held open, never written
		}
	}()
	dial := func(ctx context.Context, _ string, _ uint16) (net.Conn, error) {
		return net.Dial("tcp", ln.Addr().String())
	}
	pl, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Server{Dial: dial}).Serve(ctx, pl) }()
	c, err := net.Dial("tcp", pl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(append([]byte{5, 1, 0}, Request{Cmd: CmdConnect, Atyp: AtypDomain, Name: testName, Port: 80}.Append(nil)...))
	var b [12]byte
	if _, err := io.ReadFull(c, b[:]); err != nil || b[3] != RepSucceeded {
		t.Fatalf("reply %x %v", b, err)
	}
	svc := <-idle
	defer svc.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second): // a failure bound, not synchronization
		t.Fatal("Serve still waits for an idle upstream after shutdown")
	}
}

// Credential pairs whose encodings would run together ("ab"+"c" and
// "a"+"bc"; or, with only the password's length, "a\x02b"+"" and
// "a"+"b\x00") are different identities and must not share circuits.
func TestIsolationCredentialsUnambiguous(t *testing.T) {
	for _, p := range [][4]string{{"ab", "c", "a", "bc"}, {"a\x02b", "", "a", "b\x00"}} {
		if isolationOf(p[0], p[1]) == isolationOf(p[2], p[3]) {
			t.Errorf("%q/%q and %q/%q share an isolation group", p[0], p[1], p[2], p[3])
		}
	}
}

// Names longer than DNS allows (up to 255 bytes fit the SOCKS length byte)
// are refused even when every label is well formed.
func TestIsMeshNameLength(t *testing.T) {
	l := strings.Repeat("a", 63)
	long := l + "." + l + "." + l + "." + strings.Repeat("a", 57) + ".mesh" // 254 bytes
	if len(long) != 254 || IsMeshName(long) {
		t.Fatalf("%d-byte name accepted", len(long))
	}
	if !IsMeshName(testName) || !IsMeshName(strings.ToUpper(testName)+".") {
		t.Fatal("plain address refused")
	}
}

// RFC 1928 §4: RSV must be zero; a request with it set is not SOCKS5 as
// this server speaks it and gets a general failure, never a dial.
func TestReservedByteRefused(t *testing.T) {
	f := &fakeMesh{}
	req := Request{Cmd: CmdConnect, Atyp: AtypDomain, Name: testName, Port: 80}.Append(nil)
	req[2] = 1
	if got := raw(t, startServer(t, f), req); got != RepGeneralFailure || f.calls() != 0 {
		t.Fatalf("reply %#x, %d dials", got, f.calls())
	}
}
