package browsertest

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cyclecash/ledger"
	"cyclecash/market"
	"cyclecash/market/storetest"
)

const chromium = "/usr/bin/chromium"

func browser(t *testing.T) (context.Context, string) {
	if _, err := exec.LookPath(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing under CI: .ci/run should have installed chromium", chromium)
		}
		t.Skip("chromium not installed")
	}
	dir := t.TempDir()
	if a := os.Getenv("CYCLECASH_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, "market-browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first Run starts the browser and must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx, dir
}

// into runs a and keeps its value.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*dst = v
		return chromedp.Void{}, err
	}
}

func shot(t *testing.T, dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100 means PNG
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		}
		t.Logf("screenshot %s", filepath.Join(dir, name))
		return chromedp.Void{}, err
	}
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
		chromedp.Click(css(`#signup button`), chromedp.NodeVisible),
		chromedp.WaitVisible(css(`#secret`)),
		into(&secret, chromedp.Text(css(`#secret`))),
		shot(t, dir, "1-account.png"),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.SendKeys(css(`#search input[name=q]`), "prime", chromedp.NodeVisible),
		chromedp.Submit(css(`#search input[name=q]`)),
		chromedp.WaitVisible(css(`table`)),
		into(&results, chromedp.Text(css(`main`))),
		shot(t, dir, "2-search.png"),
		chromedp.Click(css(`a[href="/l/`+l.ID+`"]`)),
		chromedp.WaitVisible(css(`#buy`)),
		into(&title, chromedp.Text(css(`h1`))),
		chromedp.SetValue(css(`#buy textarea[name=token]`), tok),
		shot(t, dir, "3-listing.png"),
		chromedp.Click(css(`#buy button[value=token]`)),
		chromedp.WaitVisible(css(`#state`)),
		into(&state, chromedp.Text(css(`#state`))),
		shot(t, dir, "4-order.png"),
		// The page's CSP must stop a script injected into it.
		into(&ran, chromedp.Evaluate[bool](`(() => { const s = document.createElement('script');
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
