package market_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/market/boltstore"
)

// TestEndToEnd walks the whole site on a loopback listener: accounts,
// a listing, search, a purchase with a wallet's token, messages,
// confirmation, and the seller's withdrawal received by another wallet.
func TestEndToEnd(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "market.db")
	st, err := boltstore.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteOn(t, st)
	ctx := context.Background()
	seller, buyer := s.client(), s.client()
	sellerKey, secret, phrase := seller.signup()
	if code, _ := seller.submit("/logout", nil); code != 200 {
		t.Fatal("logout")
	}
	if code, body := seller.submit("/login", url.Values{"secret": {phrase}}); code != 200 || !strings.Contains(body, sellerKey) {
		t.Fatalf("login by recovery phrase: %d %s", code, errorLine(body))
	}
	code, _ := seller.submit("/sell", url.Values{"title": {"Prime count, 10^9"}, "description": {"I run it on my cores."},
		"category": {"compute"}, "price": {"5"}, "quantity": {"2"}})
	if code != 200 || !strings.HasPrefix(seller.path(), "/l/") {
		t.Fatalf("listing: %d %s", code, seller.path())
	}
	listing := seller.path()
	buyer.signup()
	if _, body := buyer.get("/?q=prime+cores&category=compute&max=10"); !strings.Contains(body, `href="`+listing+`"`) {
		t.Fatal("search does not find the listing")
	}
	if _, body := buyer.get("/?q=prime&max=4"); strings.Contains(body, listing) {
		t.Fatal("price filter ignored")
	}
	w := s.Wallet()
	s.Fund(w, 7)
	tok, _ := w.Send(ctx, 7, "")
	code, body := buyer.submit(listing+"/buy", url.Values{"qty": {"1"}, "price": {"5"}, "token": {tok}, "pay": {"token"}})
	if code != 200 || !strings.HasPrefix(buyer.path(), "/o/") {
		t.Fatalf("buy: %d %s", code, errorLine(body))
	}
	order := buyer.path()
	if find(t, body, `id="state">(\w+)<`) != "escrow" {
		t.Fatal("order not in escrow")
	}
	if got, err := s.Wallet().Receive(ctx, find(t, body, `(?s)id="change" readonly>([^<]+)<`)); err != nil || got != 2 {
		t.Fatalf("change token: %d %v", got, err)
	}
	if s.State(tok)[0] != ledger.Spent {
		t.Fatal("buyer's token not SPENT at the mint")
	}
	code, body = buyer.submit(listing+"/buy", url.Values{"qty": {"1"}, "price": {"5"}, "token": {tok}, "pay": {"token"}})
	if code != 409 || errorLine(body) != "market: this token was already used to pay here" {
		t.Fatalf("same token again: %d %q", code, errorLine(body))
	}
	if _, body = seller.submit(order+"/message", url.Values{"text": {"shipping <b>now</b>"}}); !strings.Contains(body, "shipping &lt;b&gt;now&lt;/b&gt;") {
		t.Fatal("message not shown escaped")
	}
	if _, body = buyer.get(order); !strings.Contains(body, "shipping &lt;b&gt;") {
		t.Fatal("buyer does not see the message")
	}
	if code, _ = s.client().get(order); code != 401 {
		t.Fatalf("stranger sees the order: %d", code)
	}
	if _, body = buyer.submit(order+"/confirm", nil); find(t, body, `id="state">(\w+)<`) != "released" {
		t.Fatal("confirm")
	}
	if _, body = seller.get("/account"); find(t, body, `id="balance">(\d+)<`) != "5" {
		t.Fatal("seller not credited")
	}
	code, body = seller.submit("/withdraw", url.Values{"amount": {"5"}})
	if code != 200 || !strings.HasPrefix(seller.path(), "/w/") {
		t.Fatalf("withdraw: %d %s", code, errorLine(body))
	}
	other := s.Wallet()
	if got, err := other.Receive(ctx, find(t, body, `(?s)id="token" readonly>([^<]+)<`)); err != nil || got != 5 {
		t.Fatalf("withdrawn token: %d %v", got, err)
	}
	if _, body = seller.get(seller.path()); strings.Contains(body, `id="token"`) {
		t.Fatal("withdrawn token shown twice")
	}
	s.CheckBooks()
	// The market never learns an address: none is in its database file.
	st.Close()
	raw, _ := os.ReadFile(dbPath)
	if bytes.Contains(raw, []byte("127.0.0.1")) {
		t.Fatal("the market's database holds an address")
	}
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(phrase)) {
		t.Fatal("the market's database holds an account secret")
	}
}

// TestNoAddressRead: the market's code never reads a client address.
func TestNoAddressRead(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, bad := range []string{"RemoteAddr", "X-Forwarded-For", "X-Real-Ip"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s reads %s", f, bad)
			}
		}
	}
}

func TestHeadersAndCookies(t *testing.T) {
	s := newSite(t)
	c := s.client()
	c.get("/")
	h := c.last.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
		t.Fatalf("CSP %q", csp)
	}
	ck := c.last.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != 3 {
		t.Fatalf("cookie %+v", ck)
	}
	c.submit("/signup", nil)
	if ck = c.last.Cookies(); len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != 3 {
		t.Fatalf("session cookie %+v", ck)
	}
	if code, body := c.get("/style.css"); code != 200 || !strings.Contains(body, "body{") {
		t.Fatal("embedded style sheet")
	}
}
