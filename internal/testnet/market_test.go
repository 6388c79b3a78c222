package testnet

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/proxy"

	"cyclecash/ledger"
	lstoretest "cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
	"cyclecash/market"
	"cyclecash/node"
)

// visitor is one browser with a cookie jar.
type visitor struct {
	t    testing.TB
	base string
	c    *http.Client
	path string
}

// newVisitor visits the market on its own loopback listener (as its
// operator, or a test of the rate limits, may).
func newVisitor(t testing.TB, mk *node.Node) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: "http://" + mk.MarketAddr(), c: &http.Client{Jar: jar, Timeout: 90 * time.Second}}
}

// newMeshVisitor visits the market as its users do: by its .mesh name,
// every connection a SOCKS5 CONNECT to the client node's proxy.
func newMeshVisitor(t testing.TB, mm *meshMarket) *visitor {
	jar, _ := cookiejar.New(nil)
	dialer, err := proxy.SOCKS5("tcp", mm.client.SocksAddr().String(), nil, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DialContext: dialer.(proxy.ContextDialer).DialContext}
	return &visitor{t: t, base: "http://" + mm.mesh, c: &http.Client{Jar: jar, Transport: tr, Timeout: 90 * time.Second}}
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

// TestMarketOnTestnet: the market role on a real network, reached only by
// its .mesh name through the client node's SOCKS5 proxy and a rendezvous.
// A stealth worker earns units by a job; a seller lists, the buyer finds
// the listing by search and pays it with the worker's token; the market
// claims it by a swap through a circuit (the token is SPENT at the
// gateway); the same token again, and a token of a foreign mint, are
// refused; the seller is credited on confirmation and withdraws a token
// another wallet receives, and the change comes back to the worker; a
// dispute is refunded by the operator; bulk account creation is rate
// limited. Neither the market's nor the gateway's stores hold the buyer
// node's address or peer ID, nor the stealth worker's peer ID.
func TestMarketOnTestnet(t *testing.T) {
	if raceEnabled {
		t.Skip("the stealth worker's job: wazero's compiler is ~50x slower under -race")
	}
	mm := marketMeshNet(t)
	gw, mk := mm.gw, mm.mk
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	worker, earned := stealthEarnings(ctx, t, mm)
	seller, buyer := newMeshVisitor(t, mm), newMeshVisitor(t, mm)
	if code, _ := seller.post("/signup", nil); code != 200 {
		t.Fatalf("signup: %d", code)
	}
	buyer.post("/signup", nil)
	price := earned.Balance() - 1 // the worker pays all it holds: one unit of change
	code, body := seller.post("/sell", url.Values{"title": {"Prime count"}, "description": {"on my cores"},
		"category": {"compute"}, "price": {fmt.Sprint(price)}, "quantity": {"3"}})
	if code != 200 || !strings.HasPrefix(seller.path, "/l/") {
		t.Fatalf("listing: %d %s", code, pageError(body))
	}
	listing := seller.path
	if _, body = buyer.get("/?q=prime&category=compute"); !strings.Contains(body, `href="`+listing+`"`) {
		t.Fatalf("search for prime does not find %s: %s", listing, body)
	}
	if _, body = buyer.get(fmt.Sprintf("/?q=prime&max=%d", price-1)); strings.Contains(body, `href="`+listing+`"`) {
		t.Fatalf("search below the price finds %s", listing)
	}
	pay, err := earned.Send(ctx, earned.Balance(), "")
	if err != nil {
		t.Fatal(err)
	}
	buy := func(tok string) (int, string) {
		return buyer.post(listing+"/buy", url.Values{"qty": {"1"}, "price": {fmt.Sprint(price)}, "token": {tok}, "pay": {"token"}})
	}
	code, body = buy(pay)
	if code != 200 || !strings.HasPrefix(buyer.path, "/o/") {
		t.Fatalf("buy: %d %s", code, pageError(body))
	}
	order := buyer.path
	if st := tokenStates(t, gw, pay); st[ledger.Spent] != price+1 {
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
	if _, body = buyer.post(order+"/confirm", nil); pageField(t, body, `id="state">(\w+)<`) != "released" {
		t.Fatal("order not released on confirmation")
	}
	if _, body = seller.get("/account"); pageField(t, body, `id="balance">(\d+)<`) != fmt.Sprint(price) {
		t.Fatal("seller not credited after confirm")
	}
	code, body = seller.post("/withdraw", url.Values{"amount": {fmt.Sprint(price)}})
	if code != 200 || !strings.HasPrefix(seller.path, "/w/") {
		t.Fatalf("withdraw: %d %s", code, pageError(body))
	}
	hc, mintURL := ledgerClient(t, gw)
	other, err := wallet.Create(t.TempDir(), mintURL, hc, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := pageField(t, body, `(?s)id="token" readonly>([^<]+)<`)
	if got, err := other.Receive(ctx, tok); err != nil || got != price {
		t.Fatalf("the withdrawn token: %d %v", got, err)
	}
	if got, err := earned.Receive(ctx, change); err != nil || got != 1 {
		t.Fatalf("the buyer's change: %d %v", got, err)
	}
	// A dispute goes to B's operator, who refunds through the control API.
	if code, body = buy(buyTokens(t, gw, price)); code != 200 {
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
	if _, body = buyer.get("/account"); pageField(t, body, `id="balance">(\d+)<`) != fmt.Sprint(price) {
		t.Fatal("buyer not refunded")
	}
	if hs := mk.HiddenServices(); len(hs) != 1 || hs[0].Served == 0 {
		t.Fatalf("the market's hidden service answered no introduction: %+v", hs)
	}
	for _, nd := range []*node.Node{mk, gw} {
		for _, who := range []*node.Node{mm.client, worker} {
			if where := holdsIdentity(t, nd.DataDir(), who); where != "" {
				t.Fatalf("%s names the buyer's node %s", where, who.ID())
			}
		}
	}
	limited := false // the limit is global: the loopback listener shows it without 40 rendezvous
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

// stealthEarnings adds two stealth workers to the network (a task's
// result counts once compute.MinReplication workers agree), has the client
// node buy a job they compute, and returns the worker that earned more and
// its wallet, holding what it earned (at least 2 units).
func stealthEarnings(ctx context.Context, t *testing.T, mm *meshMarket) (*node.Node, *wallet.Wallet) {
	t.Helper()
	var workers []*node.Node
	for i := range 2 {
		w, err := mm.net.Add(i, workerConfig(node.WorkerStealth))
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}
	for _, w := range workers {
		for {
			if _, err := w.WorkerAccount(ctx); err == nil {
				break
			} else if ctx.Err() != nil {
				t.Fatalf("stealth worker never reached the gateway: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	c := mm.client.Client()
	id, err := c.SubmitJob(ctx, primesJob(t, 6, 20_000, 2, buyTokens(t, mm.gw, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if res := waitJob(ctx, t, c, id); res.State != "done" || res.Accepted != 6 {
		t.Fatalf("job %s: %d of 6 accepted", res.State, res.Accepted)
	}
	var best *node.Node
	var most uint64
	for _, w := range workers {
		for {
			bal, pending, err := w.WorkerWallet()
			acct, aerr := w.WorkerAccount(ctx) // the credit is claimed and minted into the wallet
			if err == nil && aerr == nil && pending == 0 && acct.Credit == 0 {
				if bal > most {
					best, most = w, bal
				}
				break
			} else if ctx.Err() != nil {
				t.Fatalf("the stealth worker's earnings never reached its wallet: %d pending, %v", pending, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if most < 2 {
		t.Fatalf("the stealth workers earned at most %d units", most)
	}
	hc, _ := ledgerClient(t, mm.gw)
	wl, err := wallet.Open(filepath.Join(best.DataDir(), "wallet"), hc)
	if err != nil {
		t.Fatal(err)
	}
	return best, wl
}
