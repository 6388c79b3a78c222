package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cyclecash/market"
	"cyclecash/node"
)

// TestMarketCLI: `cyclecash market` reaches a running market node
// (`cyclecash run` with role market, its site on a loopback port that a
// [[hidden_service]] maps .mesh:80 to) through the control API. The
// market's .mesh address is in run's market line, in `status --json` and
// in `market status` (text and JSON), and is the one `hs address` names;
// a listing made on the site is listed; a wrong order or a missing --to
// is refused.
func TestMarketCLI(t *testing.T) {
	data, site := t.TempDir(), restartablePort(t)
	cfg := `roles = ["relay", "market"]
listen = ["/ip4/127.0.0.1/tcp/0"]
api = "127.0.0.1:0"
log_level = "warn"

[market]
listen = "` + site + `"

[[hidden_service]]
name = "market"
ports = ["80 ` + site + `"]
`
	if err := os.WriteFile(filepath.Join(data, "node.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startProc(t, "--data", data)
	mesh := strings.TrimSpace(mustCLI(t, "hs", "address", "--data", data, "market"))
	if !strings.HasSuffix(mesh, ".mesh") {
		t.Fatalf("hs address: %q", mesh)
	}
	if want := "http://" + site + " (loopback), http://" + mesh + " (its hidden service)"; p.lines["market"] != want {
		t.Fatalf("run's market line %q, want %q", p.lines["market"], want)
	}
	if hs := statusJSON(t, context.Background(), data).HiddenServices; len(hs) != 1 || hs[0].Address != mesh {
		t.Fatalf("status --json hidden services %+v, want %s", hs, mesh)
	}
	out := mustCLI(t, "market", "--data", data, "status")
	if !regexp.MustCompile(`site\s+http://`+regexp.QuoteMeta(site)+`\n`).MatchString(out) ||
		!regexp.MustCompile(`mesh\s+http://`+regexp.QuoteMeta(mesh)+`\n`).MatchString(out) {
		t.Fatalf("status: %q", out)
	}
	var st struct{ Listen, Mesh string }
	if err := json.Unmarshal([]byte(mustCLI(t, "market", "--data", data, "--json", "status")), &st); err != nil || st.Listen != site || st.Mesh != mesh {
		t.Fatalf("status --json: %+v %v", st, err)
	}
	sellOnSite(t, "http://"+site, "Prime table")
	if out := mustCLI(t, "market", "--data", data, "listings"); !regexp.MustCompile(`(?m)^[0-9a-f]+\s+4\s+2\s+open\s+Prime table$`).MatchString(out) {
		t.Fatalf("listings: %q", out)
	}
	offer := mustCLI(t, "market", "--data", data, "offer", "--price", "0.02 EUR", "--min", "10", "--max", "500", "--terms", "SEPA within a day")
	if !regexp.MustCompile(`^offer [0-9a-f]+: 0\.02 EUR per unit, 10 to 500 units$`).MatchString(offer) {
		t.Fatalf("offer: %q", offer)
	}
	if page := getPage(t, "http://"+site+"/cash"); !strings.Contains(page, "0.02 EUR") || !strings.Contains(page, "SEPA within a day") {
		t.Fatalf("the posted offer is not on the site's cash page:\n%s", page)
	}
	if out := mustCLI(t, "market", "--data", data, "cashout", "list"); strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.HasPrefix(out, "request") {
		t.Fatalf("cashout list of a fresh market: %q", out)
	}
	if _, errs, code := cli("market", "--data", data, "cashout", "settle", "0123456789abcdef", "--paid"); code != 1 || !strings.Contains(errs, "market: not found") {
		t.Fatalf("cashout settle of an unknown request: exit %d, %q", code, errs)
	}
	if rep := mustCLI(t, "market", "--data", data, "report"); rep != out {
		t.Fatalf("report %q, status %q", rep, out)
	}
	if _, errs, code := cli("market", "--data", data, "settle", "0123456789abcdef", "--to", "seller"); code != 1 || !strings.Contains(errs, "market: not found") {
		t.Fatalf("settle of an unknown order: exit %d, %q", code, errs)
	}
	if out := mustCLI(t, "market", "--data", data, "disputes"); !strings.HasPrefix(out, "order") || strings.Count(out, "\n") != 0 {
		t.Fatalf("disputes of a fresh market: %q", out)
	}
	if _, errs, code := cli("market", "--data", data, "resolve", "0123456789abcdef", "--to", "buyer"); code != 1 || !strings.Contains(errs, "market: not found") {
		t.Fatalf("resolve an unknown order: %d %q", code, errs)
	}
	if _, _, code := cli("market", "--data", data, "resolve", "0123456789abcdef"); code != 2 {
		t.Fatalf("resolve without --to: exit %d", code)
	}
	if _, _, code := cli("market", "--data", data, "cashout", "settle", "0123456789abcdef", "--paid", "--refuse"); code != 2 {
		t.Fatalf("settle both paid and refused: exit %d", code)
	}
	if secret, err := os.Stat(filepath.Join(data, "market-operator.secret")); err != nil || secret.Mode().Perm() != 0o600 {
		t.Fatalf("operator secret file: %v", err)
	}
}

// sellOnSite makes an account on the market's site and lists one item
// (price 4, quantity 2), as a browser would.
func sellOnSite(t *testing.T, base, title string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	post := func(path string, form url.Values) {
		resp, err := c.Get(base + "/signup")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrf.FindSubmatch(page)
		if m == nil {
			t.Fatalf("no csrf token on %s/signup", base)
		}
		form.Set("csrf", string(m[1]))
		form.Set("nonce", fmt.Sprintf("%016x", time.Now().UnixNano()))
		if resp, err = c.PostForm(base+path, form); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
	}
	post("/signup", url.Values{})
	post("/sell", url.Values{"title": {title}, "description": {"counted on my cores"}, "category": {"compute"},
		"price": {"4"}, "quantity": {"2"}})
}

// TestMarketTablesOneLinePerRecord: the attacker is a market user who
// writes a payout instruction, a buy note or a dispute reason (free text
// that may hold newlines and tabs) to forge a row in the operator's
// table, e.g. a second request that looks already paid. Each record
// prints as exactly one line, its text shown with visible escapes.
func TestMarketTablesOneLinePerRecord(t *testing.T) {
	forged := "my bank\nffffffffffffffff\tsell\t9999\tpaid\tIBAN of the attacker"
	for _, c := range []struct {
		v    any
		rows int // with the header
	}{
		{node.MarketCashout{Sell: []market.SellRequest{{ID: "0a", Amount: 5, State: market.CashOpen, Payout: forged}},
			Buy: []market.BuyRequest{{ID: "0b", Amount: 5, State: market.CashOpen, Note: forged}}}, 3},
		{[]market.Order{{ID: "0c", Amount: 3, State: market.Disputed, Title: "thing", Dispute: forged}}, 2},
	} {
		var b strings.Builder
		printMarket(&b, c.v)
		out := b.String()
		if n := strings.Count(out, "\n"); n != c.rows {
			t.Fatalf("%T: %d records printed as %d lines:\n%s", c.v, c.rows-1, n, out)
		}
		if want := `my bank\nffffffffffffffff\tsell`; strings.Count(out, want) != c.rows-1 {
			t.Fatalf("%T: the free text is not shown with visible escapes (%s):\n%s", c.v, want, out)
		}
	}
}

// getPage fetches a page of the site and returns its body.
func getPage(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
