package socks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/proxy"
)

const testName = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcd.mesh"

// noDNS makes every DNS lookup in this test binary fail the test: the proxy
// must never resolve a name, however it is asked.
func noDNS(t *testing.T) {
	t.Helper()
	old := net.DefaultResolver
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("DNS lookup through %s", network)
		return nil, errors.New("no DNS in tests")
	}}
	t.Cleanup(func() { net.DefaultResolver = old })
}

// fakeMesh is a dial function that serves an HTTP page on every stream, as
// a hidden service would, and records what it was asked.
type fakeMesh struct {
	mu    sync.Mutex
	names []string
	isos  []Isolation
	err   error
}

func (f *fakeMesh) dial(ctx context.Context, name string, port uint16) (net.Conn, error) {
	f.mu.Lock()
	f.names = append(f.names, fmt.Sprintf("%s:%d", name, port))
	f.isos = append(f.isos, IsolationFrom(ctx))
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	client, service := net.Pipe()
	go serveOne(service, name)
	return client, nil
}

func serveOne(c net.Conn, name string) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body := "hello from " + name + req.URL.Path
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	}
}

func (f *fakeMesh) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.names)
}

func startServer(t *testing.T, f *fakeMesh) string {
	t.Helper()
	return startServerWith(t, &Server{Dial: f.dial})
}

func startServerWith(t *testing.T, srv *Server) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return ln.Addr().String()
}

func httpVia(t *testing.T, addr string, auth *proxy.Auth) *http.Client {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", addr, auth, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: &http.Transport{DialContext: d.(proxy.ContextDialer).DialContext}}
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHTTPClientThroughProxy(t *testing.T) {
	noDNS(t)
	f := &fakeMesh{}
	c := httpVia(t, startServer(t, f), nil)
	if got := get(t, c, "http://"+testName+"/market"); got != "hello from "+testName+"/market" {
		t.Fatalf("page %q", got)
	}
	if f.names[0] != testName+":80" || f.isos[0] != (Isolation{}) {
		t.Fatalf("dialled %v with %x", f.names, f.isos[0])
	}
	// Upper case and a trailing dot reach the same lower-case name.
	c2 := httpVia(t, startServer(t, f), nil)
	get(t, c2, "http://"+"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCD.MESH."+"/")
	if f.names[1] != testName+":80" {
		t.Fatalf("dialled %q", f.names[1])
	}
}

func TestUserPassSelectsIsolation(t *testing.T) {
	noDNS(t)
	f := &fakeMesh{}
	addr := startServer(t, f)
	for _, a := range []*proxy.Auth{{User: "alice", Password: "x"}, {User: "bob", Password: "x"}, {User: "alice", Password: "x"}, nil} {
		get(t, httpVia(t, addr, a), "http://"+testName+"/")
	}
	if f.isos[0] == f.isos[1] || f.isos[0] != f.isos[2] || f.isos[3] != (Isolation{}) || f.isos[0] == (Isolation{}) {
		t.Fatalf("isolation groups %x", f.isos)
	}
}

// raw sends one greeting and request and returns the reply code.
func raw(t *testing.T, addr string, req []byte) byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(append([]byte{5, 1, 0}, req...))
	var b [12]byte
	if _, err := io.ReadFull(c, b[:2]); err != nil || b[1] != 0 {
		t.Fatalf("method reply %x %v", b[:2], err)
	}
	if _, err := io.ReadFull(c, b[2:12]); err != nil {
		t.Fatalf("no reply: %v", err)
	}
	if b[2] != 5 {
		t.Fatalf("reply version %d", b[2])
	}
	return b[3]
}

// A page the user opens tries to reach the clearnet or an IP through the
// proxy (a DNS leak or a de-anonymising exit): refused, never resolved,
// never dialled.
func TestProxyRefusals(t *testing.T) {
	noDNS(t)
	f := &fakeMesh{}
	addr := startServer(t, f)
	dom := func(cmd byte, name string) []byte {
		return Request{Cmd: cmd, Atyp: AtypDomain, Name: name, Port: 80}.Append(nil)
	}
	for _, c := range []struct {
		name string
		req  []byte
		want byte
	}{
		{"clearnet name", dom(CmdConnect, "example.com"), RepNotAllowed},
		{"localhost", dom(CmdConnect, "localhost"), RepNotAllowed},
		{"mesh as a subdomain", dom(CmdConnect, testName+".example.com"), RepNotAllowed},
		{"bare mesh", dom(CmdConnect, ".mesh"), RepNotAllowed},
		{"ip in a domain", dom(CmdConnect, "1.2.3.4"), RepNotAllowed},
		{"odd bytes", dom(CmdConnect, "a b.mesh"), RepNotAllowed},
		{"ipv4 literal", Request{Cmd: CmdConnect, Atyp: AtypIPv4, IP: netip.MustParseAddr("93.184.216.34"), Port: 80}.Append(nil), RepNotAllowed},
		{"ipv6 literal", Request{Cmd: CmdConnect, Atyp: AtypIPv6, IP: netip.MustParseAddr("2001:db8::1"), Port: 80}.Append(nil), RepNotAllowed},
		{"bind", dom(CmdBind, testName), RepCmdNotSupported},
		{"udp associate", dom(CmdUDPAssociate, testName), RepCmdNotSupported},
		{"unknown atyp", []byte{5, 1, 0, 9, 1, 2, 3, 4, 0, 80}, RepAtypNotSupported},
	} {
		if got := raw(t, addr, c.req); got != c.want {
			t.Errorf("%s: reply %#x, want %#x", c.name, got, c.want)
		}
	}
	if n := f.calls(); n != 0 {
		t.Fatalf("refused requests reached the dialer %d times: %v", n, f.names)
	}
}

func TestDialFailureReplies(t *testing.T) {
	for _, c := range []struct {
		err  error
		want byte
	}{
		{fmt.Errorf("service said no: %w", ErrRefused), RepRefused},
		{fmt.Errorf("no descriptor: %w", ErrUnreachable), RepHostUnreachable},
		{ErrNotAllowed, RepNotAllowed},
		{context.DeadlineExceeded, RepTTLExpired},
		{errors.New("circuit broke"), RepHostUnreachable},
	} {
		f := &fakeMesh{err: c.err}
		got := raw(t, startServer(t, f), Request{Cmd: CmdConnect, Atyp: AtypDomain, Name: testName, Port: 443}.Append(nil))
		if got != c.want {
			t.Errorf("%v: reply %#x, want %#x", c.err, got, c.want)
		}
	}
}

func TestNoAcceptableMethod(t *testing.T) {
	addr := startServer(t, &fakeMesh{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{5, 1, 0x01}) // GSSAPI only
	var b [2]byte
	if _, err := io.ReadFull(c, b[:]); err != nil || b[1] != 0xFF {
		t.Fatalf("reply %x %v", b, err)
	}
}

// Someone configures the proxy on all interfaces, or by host name: refused
// with a clear error, so it is never reachable from the network.
func TestListenLoopbackOnly(t *testing.T) {
	noDNS(t)
	for _, a := range []string{":9050", "0.0.0.0:0", "[::]:0", "192.168.1.10:9050", "localhost:9050", "127.0.0.1", ""} {
		ln, err := Listen(a)
		if !errors.Is(err, ErrNotLoopback) {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("Listen(%q): %v", a, err)
		}
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := (&Server{Dial: (&fakeMesh{}).dial}).Serve(context.Background(), ln); !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("Serve on all interfaces: %v", err)
	}
}

// Building the circuits of a first visit can take longer than the
// negotiation deadline; the stream must still open.
func TestSlowDialOutlastsHandshakeDeadline(t *testing.T) {
	f := &fakeMesh{}
	slow := func(ctx context.Context, name string, port uint16) (net.Conn, error) {
		time.Sleep(100 * time.Millisecond) // a slow circuit build, not synchronization
		return f.dial(ctx, name, port)
	}
	addr := startServerWith(t, &Server{Dial: slow, HandshakeTimeout: 20 * time.Millisecond})
	if got := get(t, httpVia(t, addr, nil), "http://"+testName+"/"); got != "hello from "+testName+"/" {
		t.Fatalf("page %q", got)
	}
}
