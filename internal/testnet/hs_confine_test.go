package testnet

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"cyclecash/node"

	"github.com/libp2p/go-libp2p/core/peer"
)

// hsConfined starts 8 relays and adds two client-only (stealth) nodes
// bootstrapping through different relays: svc hosts the HTTP handler h as
// hidden service "web" (.mesh:80), client runs the SOCKS5 proxy. Neither
// is a relay, so no circuit of the other can end at it and no DHT walk
// reaches it: any connection between them would be the hidden-service
// protocol's doing.
func hsConfined(t *testing.T, h http.Handler) (svc, client *node.Node) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	n, err := Start(t.TempDir(), Options{N: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := n.WaitDirectory(ctx, 7); err != nil {
		t.Fatal(err)
	}
	confined := func(c *node.Config) { c.ClientOnly, c.Listen, c.Roles = true, nil, nil }
	svc, err = n.Add(1, func(c *node.Config) {
		confined(c)
		c.HiddenServices = []node.HSServiceConfig{{Name: "web", Ports: []string{"80 " + ln.Addr().String()}}}
		c.HSRepublishForTest = 2 * time.Second
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err = n.Add(2, func(c *node.Config) { confined(c); c.Socks = "127.0.0.1:0" })
	if err != nil {
		t.Fatal(err)
	}
	for {
		st := svc.HiddenServices()
		if len(st) == 1 && st[0].Published > 0 && st[0].IntroPoints == node.HSDefaultIntroPoints &&
			client.Overlay().Directory().Len() >= 8 {
			return svc, client
		}
		select {
		case <-ctx.Done():
			t.Fatalf("service never published: %+v", st)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// knowsPeer reports how a knows b: an open connection, or b's ID in a's
// peerstore (addresses or not).
func knowsPeer(a, b *node.Node) string {
	h := a.Overlay().Host()
	if len(h.Network().ConnsToPeer(b.ID())) > 0 {
		return "holds a connection to"
	}
	for _, p := range h.Peerstore().Peers() {
		if p == b.ID() {
			return "has in its peerstore"
		}
	}
	return ""
}

func checkApart(t *testing.T, when string, svc, client *node.Node) {
	t.Helper()
	for _, pair := range [][2]*node.Node{{svc, client}, {client, svc}} {
		if how := knowsPeer(pair[0], pair[1]); how != "" {
			name := map[peer.ID]string{svc.ID(): "service", client.ID(): "client"}
			t.Errorf("%s: the %s's node %s the %s's node", when, name[pair[0].ID()], how, name[pair[1].ID()])
		}
	}
}

// TestHiddenServiceNodesApart: while a page streams from a hidden service
// to a client through the SOCKS5 proxy, and after, neither the service's
// node nor the client's node holds a connection to the other or has the
// other's peer ID in its peerstore; each sees only its own guards and the
// directory's relays.
func TestHiddenServiceNodesApart(t *testing.T) {
	release := make(chan struct{})
	svc, client := hsConfined(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, hsSecretPage)
		w.(http.Flusher).Flush()
		<-release // the stream stays open while the test looks
		fmt.Fprint(w, "end")
	}))
	addr := svc.HiddenServices()[0].Address
	checkApart(t, "before", svc, client)

	c, code, err := socks5Dial(client.SocksAddr().String(), addr, 80)
	if err != nil || code != 0 {
		t.Fatalf("socks connect: reply %d, %v", code, err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, len(hsSecretPage))
	if _, err := io.ReadFull(resp.Body, head); err != nil || string(head) != hsSecretPage {
		t.Fatalf("first part of the page %q, %v", head, err)
	}
	checkApart(t, "during the fetch", svc, client)
	// The check sees the connections there are: to each node's guards.
	for _, nd := range []*node.Node{svc, client} {
		seen := 0
		for _, g := range nd.Status().Guards {
			id, _ := peer.Decode(g.Peer)
			seen += len(nd.Overlay().Host().Network().ConnsToPeer(id))
		}
		if seen == 0 {
			t.Error("a node holds no connection to any of its guards: the check would see nothing")
		}
	}
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || !strings.HasSuffix(string(rest), "end") {
		t.Fatalf("rest of the page %q, %v", rest, err)
	}
	checkApart(t, "after the fetch", svc, client)
}
