package browsertest

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/market"
	"cyclecash/market/storetest"
)

// textBrowser runs w3m with its own home (cookie jar) directory.
type textBrowser struct {
	t    *testing.T
	home string
}

func newTextBrowser(t *testing.T) *textBrowser {
	if _, err := exec.LookPath("w3m"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("w3m missing under CI: .ci/run should have installed it")
		}
		t.Skip("w3m not installed")
	}
	return &textBrowser{t: t, home: t.TempDir()}
}

func (b *textBrowser) run(args ...string) string {
	b.t.Helper()
	base := []string{"-o", "accept_cookie=1", "-o", "use_cookie=1", "-o", "accept_bad_cookie=1", "-cookie"}
	cmd := exec.Command("w3m", append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+b.home, "TERM=dumb")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.t.Fatalf("w3m %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// post submits a form of page to action the way w3m does (urlencoded
// body), with the CSRF token read from the page's source, and returns the
// rendered answer.
func (b *textBrowser) post(page, action, form string) string {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(b.run("-dump_source", page))
	if m == nil {
		b.t.Fatalf("no csrf on %s", page)
	}
	f := filepath.Join(b.home, "form")
	if err := os.WriteFile(f, []byte("csrf="+m[1]+"&"+form), 0o600); err != nil {
		b.t.Fatal(err)
	}
	return b.run("-post", f, "-dump", action)
}

// TestTextBrowser: the site works in w3m (no scripts, no CSS needed): an
// account, a search and a purchase with a pasted token.
func TestTextBrowser(t *testing.T) {
	b := newTextBrowser(t)
	e := storetest.NewEnv(t, market.NewMemStore())
	srv := httptest.NewServer(e.Market)
	defer srv.Close()
	_, l := e.Seller(5, 3)
	tok := e.Token(8)
	if page := b.post(srv.URL+"/signup", srv.URL+"/signup", ""); !strings.Contains(page, "shown once") {
		t.Fatalf("signup page:\n%s", page)
	}
	if page := b.run("-dump", srv.URL+"/?q=prime"); !strings.Contains(page, l.Title) {
		t.Fatalf("search page:\n%s", page)
	}
	page := b.run("-dump", srv.URL+"/l/"+l.ID)
	if !strings.Contains(page, "Pay with token") {
		t.Fatalf("listing page:\n%s", page)
	}
	order := b.post(srv.URL+"/l/"+l.ID, srv.URL+"/l/"+l.ID+"/buy",
		"nonce=00112233445566778899aabbccddeeff&price=5&qty=1&pay=token&token="+tok)
	if !strings.Contains(order, "State: escrow") {
		t.Fatalf("order page:\n%s", order)
	}
	if e.State(tok)[0] != ledger.Spent {
		t.Fatal("token not SPENT")
	}
}
