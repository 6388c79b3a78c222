package browsertest

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cyclecash/internal/chromiumtest"
	"cyclecash/ledger"
	"cyclecash/market"
	"cyclecash/market/storetest"
)

// browser starts headless Chromium; screenshots go to
// $CYCLECASH_ARTIFACTS/market-browser when set (kept as CI artifacts).
func browser(t *testing.T) (context.Context, string) {
	return chromiumtest.Start(t, "market-browser", 90*time.Second)
}

type css = chromedp.CSS

// TestBrowserBuy: a visitor in Chromium makes an account, searches,
// opens the listing and pays with a token pasted into the form; the order
// page shows the escrow and the token is SPENT at the mint.
func TestBrowserBuy(t *testing.T) {
	ctx, dir := browser(t)
	e := storetest.NewEnv(t, market.NewMemStore())
	srv := httptest.NewServer(e.Market)
	defer srv.Close()
	_, l := e.Seller(5, 3)
	tok := e.Token(6)
	var secret, state, results, title string
	var ran bool
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signup"),
		chromiumtest.Loads(chromedp.Click(css(`#signup button`), chromedp.NodeVisible)),
		chromedp.WaitVisible(css(`#secret`)),
		chromiumtest.Into(&secret, chromedp.Text(css(`#secret`))),
		chromiumtest.Shot(dir, "1-account.png"),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.SendKeys(css(`#search input[name=q]`), "prime", chromedp.NodeVisible),
		chromiumtest.Loads(chromedp.Submit(css(`#search input[name=q]`))),
		chromedp.WaitVisible(css(`table`)),
		chromiumtest.Into(&results, chromedp.Text(css(`main`))),
		chromiumtest.Shot(dir, "2-search.png"),
		chromiumtest.Loads(chromedp.Click(css(`a[href="/l/`+l.ID+`"]`))),
		chromedp.WaitVisible(css(`#buy`)),
		chromiumtest.Into(&title, chromedp.Text(css(`h1`))),
		chromedp.SetValue(css(`#buy textarea[name=token]`), tok),
		chromiumtest.Shot(dir, "3-listing.png"),
		chromiumtest.Loads(chromedp.Click(css(`#buy button[value=token]`))),
		chromedp.WaitVisible(css(`#state`)),
		chromiumtest.Into(&state, chromedp.Text(css(`#state`))),
		chromiumtest.Shot(dir, "4-order.png"),
		// The page's CSP must stop a script injected into it.
		chromiumtest.Into(&ran, chromedp.Evaluate[bool](`(() => { const s = document.createElement('script');
			s.textContent = 'window.injected = true'; document.body.appendChild(s);
			return window.injected === true })()`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.TrimSpace(secret)) != 32 || !strings.Contains(results, l.Title) || title != l.Title {
		t.Fatalf("secret %q, results %q, title %q", secret, results, title)
	}
	if ran {
		t.Fatal("an injected script ran: the Content-Security-Policy does not hold")
	}
	if state != "escrow" {
		t.Fatalf("order state %q", state)
	}
	if e.State(tok)[0] != ledger.Spent {
		t.Fatal("token not SPENT at the mint")
	}
}
