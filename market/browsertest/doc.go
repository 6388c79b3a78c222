// Package browsertest drives the market in a real Chromium (Debian's
// /usr/bin/chromium, headless, through chromedp) over a loopback listener:
// it makes an account, searches, buys with a wallet's token and saves
// screenshots. It holds tests only.
//
// Policy: the screenshots go to $CYCLECASH_ARTIFACTS/market-browser when
// that is set (kept as CI artifacts), otherwise to a temporary directory.
// Without Chromium the test skips on a developer's machine but fails
// under CI (CI set).
package browsertest
