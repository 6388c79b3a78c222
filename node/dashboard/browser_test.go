package dashboard

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cyclecash/internal/chromiumtest"
)

// browser starts headless Chromium; screenshots go to
// $CYCLECASH_ARTIFACTS/dashboard when set (kept as CI artifacts).
func browser(t *testing.T) (context.Context, string) {
	return chromiumtest.Start(t, "dashboard", 90*time.Second, chromedp.WindowSize(1240, 900))
}

// rendered is what the browser laid out: the charts drawn with a size,
// the resources the page loaded, and whether an injected script ran.
type rendered struct {
	Charts    int  `json:"charts"`
	Drawn     int  `json:"drawn"`
	Resources int  `json:"resources"`
	Injected  bool `json:"injected"`
}

const inspect = `(() => {
	const figs = [...document.querySelectorAll('figure svg')];
	const drawn = figs.filter(s => { const r = s.getBoundingClientRect(); return r.width > 100 && r.height > 100 &&
		s.querySelectorAll('text.ytitle, text.xtitle').length == 2 }).length;
	const s = document.createElement('script');
	s.textContent = 'window.injected = true';
	document.body.appendChild(s);
	return {charts: figs.length, drawn: drawn, resources: performance.getEntriesByType('resource').length,
		injected: window.injected === true};
})()`

// TestBrowserScreenshots: each role's page, rendered by headless Chromium
// and kept as a PNG, lays out every chart with both axis titles, loads no
// other resource, and its CSP stops an injected script.
func TestBrowserScreenshots(t *testing.T) {
	ctx, dir := browser(t)
	for _, role := range []string{roleGateway, roleOpen, roleStealth, roleRelay, roleMarket} {
		f := newFixture(t, role)
		f.advance(24)
		srv := httptest.NewServer(f.h.API)
		var png []byte
		var got rendered
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`figure svg`)),
			chromiumtest.Into(&png, chromedp.FullScreenshot(100)),
			chromiumtest.Into(&got, chromedp.Evaluate[rendered](inspect)),
		)
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		path := filepath.Join(dir, "dashboard-"+role+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
		if want := len(rolePages[role]); got.Charts < want || got.Drawn != got.Charts {
			t.Errorf("%s: %d charts, %d drawn with both axis titles, want at least %d all drawn", role, got.Charts, got.Drawn, want)
		}
		if got.Resources != 0 || got.Injected {
			t.Errorf("%s: %d resources loaded, injected script ran: %v", role, got.Resources, got.Injected)
		}
	}
}
