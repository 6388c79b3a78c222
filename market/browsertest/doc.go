// Package browsertest drives the market in real browsers over a loopback
// listener: Chromium (Debian's /usr/bin/chromium, headless, through
// chromedp) makes an account, searches, buys with a wallet's token and
// saves screenshots; the text browser w3m does the same without scripts or
// styles. It holds tests only.
//
// Policy: the screenshots go to $CYCLECASH_ARTIFACTS/market-browser when
// that is set (kept as CI artifacts), otherwise to a temporary directory.
// Without the browser a test skips on a developer's machine but fails
// under CI (CI set).
package browsertest
