package testnet

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/onion/hs"
)

const hsSecretPage = "<h1>company B: secret listing 7731</h1>"

// hsNet starts 8 relays; node 6 hosts an HTTP server as hidden service
// "web" (.mesh:80), node 7 runs the SOCKS5 proxy. It returns once the
// service has published a descriptor.
func hsNet(t *testing.T) (*Net, *node.Node, *node.Node) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, hsSecretPage, strings.Repeat("x", 64<<10))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	n, err := Start(t.TempDir(), Options{N: 8, Configure: func(i int, c *node.Config) {
		switch i {
		case 6:
			c.HiddenServices = []node.HSServiceConfig{{Name: "web", Ports: []string{"80 " + ln.Addr().String()}}}
			c.HSRepublishForTest = 2 * time.Second
		case 7:
			c.Socks = "127.0.0.1:0"
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.WaitDirectory(ctx, 7); err != nil {
		t.Fatal(err)
	}
	svc := n.Nodes[6]
	waitHSPublished(ctx, t, svc)
	return n, svc, n.Nodes[7]
}

// waitHSPublished waits until svc's one hidden service has published its
// descriptor with all its introduction points up.
func waitHSPublished(ctx context.Context, t testing.TB, svc *node.Node) {
	t.Helper()
	for {
		st := svc.HiddenServices()
		if len(st) == 1 && st[0].Published > 0 && st[0].IntroPoints == node.HSDefaultIntroPoints {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("service never published: %+v", st)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// socks5Dial speaks RFC 1928 CONNECT with a domain name to the proxy and
// returns the reply code and, on success, the connection.
func socks5Dial(proxy, host string, port uint16) (net.Conn, byte, error) {
	return socks5DialAs(proxy, "", host, port)
}

// socks5DialAs is socks5Dial with username/password auth as user (the
// proxy's isolation group; "" = no auth).
func socks5DialAs(proxy, user, host string, port uint16) (net.Conn, byte, error) {
	c, err := net.Dial("tcp", proxy)
	if err != nil {
		return nil, 0, err
	}
	method := byte(0)
	if user != "" {
		method = 2
	}
	if _, err := c.Write([]byte{5, 1, method}); err != nil {
		return nil, 0, err
	}
	var sel [2]byte
	if _, err := io.ReadFull(c, sel[:]); err != nil || sel[1] != method {
		c.Close()
		return nil, 0, fmt.Errorf("method selection %v: %w", sel, err)
	}
	if user != "" {
		auth := append(append([]byte{1, byte(len(user))}, user...), 1, 'x')
		var ok [2]byte
		if _, err := c.Write(auth); err != nil {
			return nil, 0, err
		}
		if _, err := io.ReadFull(c, ok[:]); err != nil || ok[1] != 0 {
			c.Close()
			return nil, 0, fmt.Errorf("auth %v: %w", ok, err)
		}
	}
	r := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	if _, err := c.Write(binary.BigEndian.AppendUint16(r, port)); err != nil {
		return nil, 0, err
	}
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		c.Close()
		return nil, 0, err
	}
	if head[1] != 0 {
		c.Close()
		return nil, head[1], nil
	}
	skip := map[byte]int{1: 4 + 2, 4: 16 + 2}[head[3]]
	if head[3] == 3 {
		var l [1]byte
		io.ReadFull(c, l[:])
		skip = int(l[0]) + 2
	}
	if _, err := io.ReadFull(c, make([]byte, skip)); err != nil {
		c.Close()
		return nil, 0, err
	}
	return c, 0, nil
}

// getThroughSocks fetches http://addr/ with an ordinary HTTP client whose
// connections go through the proxy.
func getThroughSocks(proxy, addr string) (string, error) { return getThroughSocksAs(proxy, "", addr) }

// getThroughSocksAs is getThroughSocks in the proxy's isolation group user.
func getThroughSocksAs(proxy, user, addr string) (string, error) {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, hostport string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(hostport)
		c, code, err := socks5DialAs(proxy, user, host, 80)
		if err == nil && code != 0 {
			err = fmt.Errorf("socks reply %d", code)
		}
		return c, err
	}}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	resp, err := cl.Get("http://" + addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// tapAll records every hidden-service message every relay handles.
type hsTap struct {
	mu   sync.Mutex
	msgs map[uint8][][]byte
	at   map[uint8][]*node.Node
}

func tapAll(n *Net) *hsTap {
	tp := &hsTap{msgs: map[uint8][][]byte{}, at: map[uint8][]*node.Node{}}
	for _, nd := range n.Nodes {
		nd.Onion().SetHSTapForTest(func(cmd uint8, data []byte) {
			tp.mu.Lock()
			defer tp.mu.Unlock()
			tp.msgs[cmd] = append(tp.msgs[cmd], bytes.Clone(data))
			tp.at[cmd] = append(tp.at[cmd], nd)
		})
	}
	return tp
}

// TestHiddenServiceThroughSocks: an ordinary HTTP client reaches a
// service's page by its .mesh address through the client node's SOCKS5
// proxy; every rendezvous point on the way saw only ciphertext; the
// descriptor went through relays' directory fronts (by circuit).
func TestHiddenServiceThroughSocks(t *testing.T) {
	n, svc, client := hsNet(t)
	tap := tapAll(n)
	addr := svc.HiddenServices()[0].Address
	body, err := getThroughSocks(client.SocksAddr().String(), addr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, hsSecretPage) || len(body) != len(hsSecretPage)+64<<10 {
		t.Fatalf("page of %d bytes, prefix %q", len(body), body[:min(len(body), 40)])
	}
	tap.mu.Lock()
	e2e := tap.msgs[uint8(hs.CmdE2E)]
	tap.mu.Unlock()
	if len(e2e) < 100 {
		t.Fatalf("rendezvous points forwarded %d E2E cells; the page needs more", len(e2e))
	}
	for _, m := range e2e {
		for _, secret := range []string{"secret listing", "GET / HTTP", "xxxxxxxx"} {
			if bytes.Contains(m, []byte(secret)) {
				t.Fatalf("a rendezvous point forwarded plaintext %q", secret)
			}
		}
	}
	// The fronts count only what reached them as a circuit service. A
	// front may be any node but the asker: the client's fetch may end at
	// the service's node (a relay too), and the other way round.
	var puts, gets uint64
	for i, nd := range n.Nodes {
		p, g := nd.Overlay().HSDirServed()
		if i != 6 {
			puts += p
		}
		if i != 7 {
			gets += g
		}
	}
	if puts == 0 || gets == 0 {
		t.Fatalf("relays' directory fronts served %d puts, %d gets", puts, gets)
	}
}

// TestHiddenServiceRefusals: a bad checksum is refused by the proxy as a
// name it does not serve (0x02); a well-formed address nobody serves is
// unreachable (0x04); a port the service does not map is refused (0x05);
// a replayed INTRODUCE1 reaches the service through
// its introduction point and is refused there.
func TestHiddenServiceRefusals(t *testing.T) {
	n, svc, client := hsNet(t)
	proxy := client.SocksAddr().String()
	addr := svc.HiddenServices()[0].Address
	bad := []byte(addr)
	bad[3] = 'a' // change one base32 letter
	if bad[3] == addr[3] {
		bad[3] = 'b'
	}
	if _, code, err := socks5Dial(proxy, string(bad), 80); err != nil || code != 2 {
		t.Fatalf("bad checksum: reply %d, %v; want 2", code, err)
	}
	other, _ := hs.NewIdentityKey(bytes.NewReader(bytes.Repeat([]byte{9}, 64)))
	if _, code, err := socks5Dial(proxy, other.Public().Address(), 80); err != nil || code != 4 {
		t.Fatalf("unknown service: reply %d, %v; want 4", code, err)
	}

	tap := tapAll(n) // the first dial to addr makes the session: one introduction
	if _, code, err := socks5Dial(proxy, addr, 8080); err != nil || code != 5 {
		t.Fatalf("unmapped port: reply %d, %v; want 5 (refused)", code, err)
	}
	// The service may have picked the client's own node as one of its
	// introduction points, and the client may have used that one; a node
	// has no circuit to itself, so the replay needs an INTRODUCE1 seen
	// elsewhere. Each SOCKS user is a session of its own, so a new one
	// introduces itself again, through a point picked afresh.
	var intro []byte
	var at *node.Node
	for try := 0; at == nil && try < 8; try++ {
		if _, err := getThroughSocksAs(proxy, fmt.Sprintf("try%d", try), addr); err != nil {
			t.Fatal(err)
		}
		tap.mu.Lock()
		intros, ats := tap.msgs[uint8(hs.CmdIntroduce1)], tap.at[uint8(hs.CmdIntroduce1)]
		for i := range intros {
			if ats[i] != client {
				intro, at = intros[i], ats[i]
				break
			}
		}
		tap.mu.Unlock()
	}
	if at == nil {
		t.Fatal("no INTRODUCE1 seen at a relay other than the client's node in 8 sessions")
	}
	before := svc.HiddenServices()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.BuildCircuit(ctx, node.Target{Peer: at.ID()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hc := c.HiddenService()
	if err := hc.Send(uint8(hs.CmdIntroduce1), intro); err != nil {
		t.Fatal(err)
	}
	ack, err := hc.Recv(ctx)
	if err != nil || ack.Cmd != uint8(hs.CmdIntroduceAck) || !bytes.Equal(ack.Data, hs.IntroduceAck(hs.AckOK)) {
		t.Fatalf("intro point answer %+v, %v", ack, err)
	}
	for svc.HiddenServices()[0].Refused == before.Refused {
		select {
		case <-ctx.Done():
			t.Fatal("the replay was never refused at the service")
		case <-time.After(50 * time.Millisecond):
		}
	}
	if after := svc.HiddenServices()[0]; after.Served != before.Served {
		t.Fatalf("the replay was served: %d -> %d", before.Served, after.Served)
	}
}
