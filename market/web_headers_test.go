package market_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestHeadersOnErrors: the script-forbidding policy and the other headers
// hold on every answer, error pages included (an error page is where input
// is echoed, so it is where an injection would land).
func TestHeadersOnErrors(t *testing.T) {
	s := newSite(t)
	c := s.client()
	checks := []struct {
		name string
		do   func() (int, string)
		code int
	}{
		{"unknown path", func() (int, string) { return c.get("/nope/<x>") }, 404},
		{"login required", func() (int, string) { return c.get("/account") }, 401},
		{"no csrf", func() (int, string) { return c.postRaw("/signup", "") }, 403},
		{"oversized", func() (int, string) { return c.postRaw("/signup", strings.Repeat("a=b&", 20<<10)) }, 413},
		{"bad input", func() (int, string) { return c.submit("/login", url.Values{"secret": {"\x01"}}) }, 400},
		{"not urlencoded", func() (int, string) {
			req, _ := http.NewRequest("POST", c.base+"/login", strings.NewReader("x"))
			req.Header.Set("Content-Type", "text/plain")
			return c.do(req)
		}, 400},
	}
	for _, ck := range checks {
		code, _ := ck.do()
		h := c.last.Header
		if code != ck.code || !strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'none'") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %d (want %d), headers %v", ck.name, code, ck.code, h)
		}
	}
}

// TestSessionFixation: a cookie value planted in the victim's browser
// before login must not become the victim's session.
func TestSessionFixation(t *testing.T) {
	s := newSite(t)
	victim := s.client()
	_, secret, _ := victim.signup()
	victim.submit("/logout", nil)
	planted := strings.Repeat("ab", 32)
	u, _ := url.Parse(victim.base)
	victim.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sid", Value: planted, Path: "/"}})
	if code, _ := victim.submit("/login", url.Values{"secret": {secret}}); code != 200 || victim.path() != "/account" {
		t.Fatalf("login: %d %s", code, victim.path())
	}
	attacker := s.client()
	attacker.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sid", Value: planted, Path: "/"}})
	if code, _ := attacker.get("/account"); code != 401 {
		t.Fatalf("the planted cookie logs the attacker in as the victim: %d", code)
	}
	if s.Market.SessionAccount(t.Context(), planted) != "" {
		t.Fatal("planted cookie holds a session")
	}
}
