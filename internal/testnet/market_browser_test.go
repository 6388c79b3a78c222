package testnet

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	const chromium = "/usr/bin/chromium"
	if _, err := exec.LookPath(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing under CI: .ci/run installs chromium", chromium)
		}
		t.Skip("chromium not installed")
	}
	gw, mk, client, mesh := marketMeshNet(t)
	seller := newVisitor(t, mk) // the seller lists on the market's own loopback port
	seller.post("/signup", nil)
	if code, body := seller.post("/sell", url.Values{"title": {"Prime table"}, "description": {"counted on my cores"},
		"category": {"compute"}, "price": {"4"}, "quantity": {"2"}}); code != 200 {
		t.Fatalf("listing: %d %s", code, pageError(body))
	}
	tok := buyTokens(t, gw, 4)

	dir := t.TempDir()
	if a := os.Getenv("CYCLECASH_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, "market-mesh-browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.ProxyServer("socks5://" + client.SocksAddr().String()),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a timeout
		t.Fatal(err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel3()
	base := "http://" + mesh
	var secret, results, state, page string
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100 means PNG
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, name), buf, 0o644)
			}
			return chromedp.Void{}, err
		}
	}
	keep := func(dst *string, a chromedp.Action[string]) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			v, err := a(ctx, tg)
			*dst = v
			return chromedp.Void{}, err
		}
	}
	type css = chromedp.CSS
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/signup"),
		chromedp.Click(css(`#signup button`), chromedp.NodeVisible),
		chromedp.WaitVisible(css(`#secret`)),
		keep(&secret, chromedp.Text(css(`#secret`))),
		shot("1-account.png"),
		chromedp.Navigate(base+"/"),
		chromedp.SendKeys(css(`#search input[name=q]`), "prime", chromedp.NodeVisible),
		chromedp.Submit(css(`#search input[name=q]`)),
		chromedp.WaitVisible(css(`table`)),
		keep(&results, chromedp.Text(css(`main`))),
		shot("2-search.png"),
		chromedp.Click(css(`table a[href^="/l/"]`)),
		chromedp.WaitVisible(css(`#buy`)),
		chromedp.SetValue(css(`#buy textarea[name=token]`), tok),
		shot("3-listing.png"),
		chromedp.Click(css(`#buy button[value=token]`)),
		chromedp.WaitVisible(css(`#state`)),
		keep(&state, chromedp.Text(css(`#state`))),
		keep(&page, chromedp.OuterHTML(css(`html`))),
		shot("4-order.png"),
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

// marketMeshNet starts relays, a gateway, a market node whose site is the
// hidden service "market" (.mesh:80 → its loopback listener) and a client
// node running the SOCKS5 proxy; it returns once the market's descriptor
// is published.
func marketMeshNet(t testing.TB) (gw, mk, client *node.Node, mesh string) {
	t.Helper()
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
	mk = n.Nodes[relays+1]
	for {
		st := mk.HiddenServices()
		if len(st) == 1 && st[0].Published > 0 && st[0].IntroPoints > 0 {
			return n.Nodes[relays], mk, n.Nodes[relays+2], st[0].Address
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the market's hidden service never published: %+v", st)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
