package node

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// runPeer starts a relay bootstrapping through boot and returns it running.
func runPeer(t *testing.T, boot *Node) *Node {
	t.Helper()
	n, err := New(Config{DataDir: t.TempDir(), Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		Bootstrap: boot.P2PAddrs(), API: "127.0.0.1:0", LoopbackDistinct: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; n.Close() })
	return n
}

// TestDashboardPage: GET / on the control API is a self-contained HTML
// page with the node's peer ID, its circuits table, an SVG plot and its
// gateway figures, and it names no network address, its own or a peer's.
func TestDashboardPage(t *testing.T) {
	t.Parallel()
	gw := runNode(t, t.TempDir(), "relay", "gateway")
	peer := runPeer(t, gw)
	// The leak check below means something only once the gateway knows the
	// peer (its descriptor, with its addresses, is in the directory).
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, ok := gw.Overlay().Directory().Get(peer.ID()); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the gateway never learned its peer's descriptor: the page would have no peer address to leak")
		}
		time.Sleep(100 * time.Millisecond)
	}
	jar, _ := cookiejar.New(nil) // a browser: the URL's token becomes a cookie
	resp, err := (&http.Client{Jar: jar}).Get(gw.DashboardURL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET /: %s %s", resp.Status, ct)
	}
	for _, want := range []string{gw.ID().String(), `id="circuits"`, "<svg", "<polyline", "tasks accepted"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, leak := range append(append(peer.P2PAddrs(), gw.P2PAddrs()...), "/ip4/", "127.0.0.1", "<script") {
		if strings.Contains(page, leak) {
			t.Errorf("page contains %q", leak)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Error("page served without a restrictive Content-Security-Policy")
	}
}

// TestDashboardJSON: the figures behind the page, through the Client.
func TestDashboardJSON(t *testing.T) {
	t.Parallel()
	gw := runNode(t, t.TempDir(), "relay", "gateway")
	d, err := gw.Client().Dashboard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Peer != gw.ID().String() || d.Gateway == nil || d.Worker != nil || len(d.Traffic) == 0 {
		t.Fatalf("dashboard %+v", d)
	}
}
