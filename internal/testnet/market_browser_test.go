package testnet

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cyclecash/internal/chromiumtest"
	"cyclecash/ledger"
	"cyclecash/node"
)

// TestMarketBrowserThroughMesh: company B's market as its users meet it.
// Debian's Chromium, whose only proxy is a mesh node's SOCKS5 port, opens
// the market by its .mesh name, makes an account, searches, opens the
// listing and pays with a token of the gateway; the order page shows the
// escrow and the token is SPENT at the gateway. The attacker is the
// market: it must learn nothing of where the buyer is. The browser never
// resolves or connects to anything but the proxy (the site is reachable
// only through a rendezvous), and the market's pages never carry the
// buyer node's address. Screenshots go to $CYCLECASH_ARTIFACTS.
func TestMarketBrowserThroughMesh(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node market network and a browser")
	}
	mm := marketMeshNet(t)
	gw, mk, client, mesh := mm.gw, mm.mk, mm.client, mm.mesh
	seller := newVisitor(t, mk) // the seller lists on the market's own loopback port
	seller.post("/signup", nil)
	if code, body := seller.post("/sell", url.Values{"title": {"Prime table"}, "description": {"counted on my cores"},
		"category": {"compute"}, "price": {"4"}, "quantity": {"2"}}); code != 200 {
		t.Fatalf("listing: %d %s", code, pageError(body))
	}
	tok := buyTokens(t, gw, 4)

	ctx, dir := chromiumtest.Start(t, "market-mesh-browser", 3*time.Minute,
		chromedp.ProxyServer("socks5://"+client.SocksAddr().String()))
	base := "http://" + mesh
	var secret, results, state, page string
	type css = chromedp.CSS
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signup"),
		chromiumtest.Loads(chromedp.Click(css(`#signup button`), chromedp.NodeVisible)),
		chromedp.WaitVisible(css(`#secret`)),
		chromiumtest.Into(&secret, chromedp.Text(css(`#secret`))),
		chromiumtest.Shot(dir, "1-account.png"),
		chromedp.Navigate(base+"/"),
		chromedp.SendKeys(css(`#search input[name=q]`), "prime", chromedp.NodeVisible),
		chromiumtest.Loads(chromedp.Submit(css(`#search input[name=q]`))),
		chromedp.WaitVisible(css(`table`)),
		chromiumtest.Into(&results, chromedp.Text(css(`main`))),
		chromiumtest.Shot(dir, "2-search.png"),
		chromiumtest.Loads(chromedp.Click(css(`table a[href^="/l/"]`))),
		chromedp.WaitVisible(css(`#buy`)),
		chromedp.SetValue(css(`#buy textarea[name=token]`), tok),
		chromiumtest.Shot(dir, "3-listing.png"),
		chromiumtest.Loads(chromedp.Click(css(`#buy button[value=token]`))),
		chromedp.WaitVisible(css(`#state`)),
		chromiumtest.Into(&state, chromedp.Text(css(`#state`))),
		chromiumtest.Into(&page, chromedp.OuterHTML(css(`html`))),
		chromiumtest.Shot(dir, "4-order.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.TrimSpace(secret)) != 32 || !strings.Contains(results, "Prime table") {
		t.Fatalf("secret %q, search results %q", secret, results)
	}
	if state != "escrow" {
		t.Fatalf("order state %q, want escrow", state)
	}
	if st := tokenStates(t, gw, tok); st[ledger.Spent] != 4 {
		t.Fatalf("the browser's token is not SPENT at the gateway: %v", st)
	}
	if hs := mk.HiddenServices(); len(hs) != 1 || hs[0].Served == 0 {
		t.Fatalf("the market's hidden service answered no introduction: %+v", hs)
	}
	for _, a := range client.P2PAddrs() { // the buyer's node, as the market could name it
		f := strings.Split(a, "/") // "", ip4, 127.0.0.1, tcp, PORT, ...
		if strings.Contains(page, a) || len(f) > 4 && strings.Contains(page, f[2]+":"+f[4]) {
			t.Fatalf("the market's order page names the buyer node's address %s", a)
		}
	}
	if strings.Contains(page, client.ID().String()) {
		t.Fatal("the market's order page names the buyer node's peer ID")
	}
	for _, nd := range []*node.Node{mk, gw} {
		if where := holdsIdentity(t, nd.DataDir(), client); where != "" {
			t.Fatalf("%s names the buyer node", where)
		}
	}
}

// holdsIdentity reports the first store (*.db) under dir whose bytes hold
// nd's peer ID (as text or bytes) or one of its listening HOST:PORTs; ""
// if none does. The stores are read as raw files, so a value kept
// anywhere (a key, a record, a free page not yet reused) counts. The
// overlay's own files are left out: the buyer's node is also a relay,
// and as a relay it may be anyone's guard.
func holdsIdentity(t *testing.T, dir string, nd *node.Node) string {
	t.Helper()
	needles := [][]byte{[]byte(nd.ID().String()), []byte(nd.ID())}
	for _, a := range nd.P2PAddrs() {
		if f := strings.Split(a, "/"); len(f) > 4 {
			needles = append(needles, []byte(f[2]+":"+f[4]), []byte(a))
		}
	}
	found, stores := "", 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" || filepath.Ext(path) != ".db" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		stores++
		for _, n := range needles {
			if bytes.Contains(b, n) {
				found = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stores == 0 {
		t.Fatalf("no store under %s to scan", dir)
	}
	return found
}

// meshMarket is a network with a market reached as a hidden service.
type meshMarket struct {
	net            *Net
	gw, mk, client *node.Node // the gateway, the market, the node running the SOCKS5 proxy
	mesh           string     // the market's .mesh address
}

// marketMeshNet starts relays, a gateway, a market node whose site is the
// hidden service "market" (.mesh:80 → its loopback listener) and a client
// node running the SOCKS5 proxy; it returns once the market's descriptor
// is published.
func marketMeshNet(t testing.TB) *meshMarket {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-node market network")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().String()
	l.Close()
	const relays = 5
	n, err := Start(t.TempDir(), Options{N: relays + 3, Configure: func(i int, c *node.Config) {
		switch i {
		case relays:
			gatewayConfig(c)
		case relays + 1:
			c.Roles = []string{"relay", "market"}
			c.Market.Listen = port
			c.HiddenServices = []node.HSServiceConfig{{Name: "market", Ports: []string{"80 " + port}}}
		case relays + 2:
			c.Socks = "127.0.0.1:0"
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.WaitDirectory(ctx, relays+2); err != nil {
		t.Fatal(err)
	}
	mk := n.Nodes[relays+1]
	for {
		st := mk.HiddenServices()
		if len(st) == 1 && st[0].Published > 0 && st[0].IntroPoints > 0 {
			return &meshMarket{net: n, gw: n.Nodes[relays], mk: mk, client: n.Nodes[relays+2], mesh: st[0].Address}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the market's hidden service never published: %+v", st)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
