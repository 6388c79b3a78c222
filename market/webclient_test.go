package market_test

import (
	"crypto/rand"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cyclecash/market"
	"cyclecash/market/storetest"
)

// site is a market served on a loopback listener.
type site struct {
	*storetest.Env
	srv *httptest.Server
}

func newSite(t *testing.T) *site { return newSiteOn(t, market.NewMemStore()) }

func newSiteOn(t *testing.T, st market.Store) *site {
	e := storetest.NewEnv(t, st)
	srv := httptest.NewServer(e.Market)
	t.Cleanup(srv.Close)
	return &site{e, srv}
}

// client is one visitor with a cookie jar.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
	last *http.Response
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.Env.T.(*testing.T), base: s.srv.URL, c: &http.Client{Jar: jar}}
}

func (c *client) do(req *http.Request) (int, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.last = resp
	body := string(b)
	if strings.Contains(strings.ToLower(body), "<script") || strings.Contains(body, "127.0.0.1") {
		c.t.Fatalf("%s: page holds a script or an address", req.URL.Path)
	}
	return resp.StatusCode, body
}

func (c *client) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

func (c *client) postRaw(path, body string) (int, string) {
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf returns this visitor's CSRF token as a page shows it.
func (c *client) csrf() string {
	c.t.Helper()
	_, body := c.get("/signup")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("no csrf token on /signup")
	}
	return m[1]
}

// submit posts a form as the page would: with the CSRF token and a fresh
// nonce unless v has one.
func (c *client) submit(path string, v url.Values) (int, string) {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", c.csrf())
	if !v.Has("nonce") {
		v.Set("nonce", randHex())
	}
	return c.postRaw(path, v.Encode())
}

// path is the path of the last page (after redirects).
func (c *client) path() string { return c.last.Request.URL.Path }

func randHex() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// find returns the first group of re in body, unescaped.
func find(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found in page", re)
	}
	return html.UnescapeString(m[1])
}

// signup makes an account for c and returns its key and secret.
func (c *client) signup() (key, secret, phrase string) {
	c.t.Helper()
	code, body := c.submit("/signup", nil)
	if code != 200 {
		c.t.Fatalf("signup: %d", code)
	}
	return find(c.t, body, `id="acctkey">([0-9a-f]+)<`), find(c.t, body, `id="secret">([0-9a-f]+)<`),
		find(c.t, body, `id="phrase">([a-z ]+)<`)
}

// errorLine is the one-line error a page shows.
func errorLine(body string) string {
	m := regexp.MustCompile(`<p class="error" id="error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}
