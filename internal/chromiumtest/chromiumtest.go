// Package chromiumtest starts Debian's headless Chromium for tests, with
// the flags this machine needs as root and a fresh profile, and names the
// directory its screenshots are kept in. A missing chromium skips the
// test on a developer's machine and fails it under CI, which installs it.
// It is for tests only and drives nothing of ours.
package chromiumtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Path is where Debian's chromium package puts the browser.
const Path = "/usr/bin/chromium"

// Start launches the browser (extra options after the defaults: a window
// size, a proxy) and returns a context that runs actions in it, bounded
// by timeout, and the screenshot directory: $CYCLECASH_ARTIFACTS/artifacts
// when set (kept by CI), else a temporary directory.
func Start(t testing.TB, artifacts string, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) (context.Context, string) {
	t.Helper()
	if _, err := exec.LookPath(Path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing under CI: .ci/run installs chromium", Path)
		}
		t.Skip("chromium not installed")
	}
	dir := t.TempDir()
	if a := os.Getenv("CYCLECASH_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, artifacts)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil { // starts the browser: no timeout on it
		t.Fatal(err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel3)
	return ctx, dir
}

// Loads runs a, an action that makes the page navigate (a click on a link
// or a submit button, a form submitted), and returns once the new page has
// fired its load event: the actions after it then query the new document.
// Without it a query could land on the old one while it is being replaced
// ("No node with given id found", "Not attached to an active page").
func Loads[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, a)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// Into runs a and keeps its value in dst.
func Into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*dst = v
		return chromedp.Void{}, err
	}
}

// Shot saves a full-page PNG screenshot as dir/name.
func Shot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100 means PNG
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		}
		return chromedp.Void{}, err
	}
}
