package testnet

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cyclecash/ledger"
	lstoretest "cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
	"cyclecash/market"
	"cyclecash/node"
)

// marketNet starts relays, a gateway and a market node (relay+market,
// its site on a loopback port) and waits until the market reaches the
// gateway's mint through a circuit.
func marketNet(t testing.TB) (gw, mk *node.Node) {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-node market network")
	}
	const relays = 5
	net, err := Start(t.TempDir(), Options{N: relays + 2, Configure: func(i int, c *node.Config) {
		switch i {
		case relays:
			gatewayConfig(c)
		case relays + 1:
			c.Roles = []string{"relay", "market"}
			c.Market.Listen = "127.0.0.1:0"
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, relays+1); err != nil {
		t.Fatal(err)
	}
	return net.Nodes[relays], net.Nodes[relays+1]
}

// visitor is one browser with a cookie jar.
type visitor struct {
	t    testing.TB
	base string
	c    *http.Client
	path string
}

func newVisitor(t testing.TB, mk *node.Node) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: "http://" + mk.MarketAddr(), c: &http.Client{Jar: jar, Timeout: 90 * time.Second}}
}

func (v *visitor) get(path string) (int, string) {
	v.t.Helper()
	resp, err := v.c.Get(v.base + path)
	if err != nil {
		v.t.Fatal(err)
	}
	return v.read(resp)
}

func (v *visitor) read(resp *http.Response) (int, string) {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	v.path = resp.Request.URL.Path
	return resp.StatusCode, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// post submits a form with this visitor's CSRF token and a fresh nonce.
func (v *visitor) post(path string, form url.Values) (int, string) {
	v.t.Helper()
	_, page := v.get("/signup")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		v.t.Fatal("no csrf token")
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", m[1])
	form.Set("nonce", strings.Repeat("0", 15)+string(rune('a'+len(path)%6)))
	resp, err := v.c.PostForm(v.base+path, form)
	if err != nil {
		v.t.Fatal(err)
	}
	return v.read(resp)
}

func pageField(t testing.TB, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not in page", re)
	}
	return html.UnescapeString(m[1])
}

func pageError(body string) string {
	m := regexp.MustCompile(`id="error">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestMarketOnTestnet: the market role on a real network. A buyer pays a
// listing with a token of the gateway; the market claims it by a swap
// through a circuit (the token is SPENT at the gateway); the same token
// again, and a token of a foreign mint, are refused; the seller is
// credited on confirmation and withdraws a token another wallet receives;
// bulk account creation is rate limited.
func TestMarketOnTestnet(t *testing.T) {
	gw, mk := marketNet(t)
	ctx := context.Background()
	seller, buyer := newVisitor(t, mk), newVisitor(t, mk)
	if code, _ := seller.post("/signup", nil); code != 200 {
		t.Fatalf("signup: %d", code)
	}
	buyer.post("/signup", nil)
	code, body := seller.post("/sell", url.Values{"title": {"Prime count"}, "description": {"on my cores"},
		"category": {"compute"}, "price": {"5"}, "quantity": {"3"}})
	if code != 200 || !strings.HasPrefix(seller.path, "/l/") {
		t.Fatalf("listing: %d %s", code, pageError(body))
	}
	listing := seller.path
	pay := buyTokens(t, gw, 7)
	buy := func(tok string) (int, string) {
		return buyer.post(listing+"/buy", url.Values{"qty": {"1"}, "price": {"5"}, "token": {tok}, "pay": {"token"}})
	}
	code, body = buy(pay)
	if code != 200 || !strings.HasPrefix(buyer.path, "/o/") {
		t.Fatalf("buy: %d %s", code, pageError(body))
	}
	order := buyer.path
	if st := tokenStates(t, gw, pay); st[ledger.Spent] != 7 {
		t.Fatalf("the buyer's token is not SPENT at the gateway: %v", st)
	}
	change := pageField(t, body, `(?s)id="change" readonly>([^<]+)<`)
	if code, body = buy(pay); code != 409 || !strings.Contains(pageError(body), "already used") {
		t.Fatalf("double spend at the market: %d %q", code, pageError(body))
	}
	foreign := lstoretest.NewFixture(t, ledger.NewMemStore())
	ftok, _ := ledger.Token{Mint: "http://foreign", Unit: ledger.Unit, Proofs: foreign.Issue(4, 2)}.Encode()
	if code, body = buy(ftok); code < 400 || code == 409 || pageError(body) == "" {
		t.Fatalf("a foreign mint's token: %d %q", code, pageError(body))
	}
	buyer.post(order+"/confirm", nil)
	if _, body = seller.get("/account"); pageField(t, body, `id="balance">(\d+)<`) != "5" {
		t.Fatal("seller not credited after confirm")
	}
	code, body = seller.post("/withdraw", url.Values{"amount": {"5"}})
	if code != 200 || !strings.HasPrefix(seller.path, "/w/") {
		t.Fatalf("withdraw: %d %s", code, pageError(body))
	}
	hc, mintURL := ledgerClient(t, gw)
	other, err := wallet.Create(t.TempDir(), mintURL, hc, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := pageField(t, body, `(?s)id="token" readonly>([^<]+)<`)
	if got, err := other.Receive(ctx, tok); err != nil || got != 5 {
		t.Fatalf("the withdrawn token: %d %v", got, err)
	}
	if got, err := other.Receive(ctx, change); err != nil || got != 2 {
		t.Fatalf("the buyer's change: %d %v", got, err)
	}
	// A dispute goes to B's operator, who refunds through the control API.
	if code, body = buy(buyTokens(t, gw, 5)); code != 200 {
		t.Fatalf("second buy: %d %s", code, pageError(body))
	}
	disputed := strings.TrimPrefix(buyer.path, "/o/")
	buyer.post("/o/"+disputed+"/dispute", url.Values{"reason": {"never delivered"}})
	op := mk.Client()
	var open []market.Order
	if err := op.MarketCall(ctx, "GET", "/v1/market/orders?disputed=1", nil, &open); err != nil || len(open) != 1 || open[0].ID != disputed {
		t.Fatalf("disputes: %v %+v", err, open)
	}
	var settled market.Order
	if err := op.MarketCall(ctx, "POST", "/v1/market/orders/"+disputed+"/settle", node.MarketSettle{To: "buyer"}, &settled); err != nil || settled.State != market.Refunded {
		t.Fatalf("resolve: %v %+v", err, settled)
	}
	if _, body = buyer.get("/account"); pageField(t, body, `id="balance">(\d+)<`) != "5" {
		t.Fatal("buyer not refunded")
	}
	limited := false
	for range 40 {
		if code, _ := newVisitor(t, mk).post("/signup", nil); code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("40 account creations in a row were not rate limited")
	}
}
