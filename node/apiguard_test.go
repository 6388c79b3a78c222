package node

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/node/service"
)

// apiRequest is one raw request to a node's control API, as a web page
// (or another local user) would send it.
type apiRequest struct {
	name, method, path, host, origin, ctype, token string
	body                                           string
}

// send performs r against the TCP API at addr and returns the status and
// the body.
func (r apiRequest) send(t *testing.T, addr string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(r.method, "http://"+addr+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.host != "" {
		req.Host = r.host
	}
	for k, v := range map[string]string{"Origin": r.origin, "Content-Type": r.ctype} {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wantRefusal checks a refusal is the one-line {detail, code} body.
func wantRefusal(t *testing.T, name string, status int, body string, wantStatus int, want error) {
	t.Helper()
	var e service.ErrorBody
	if status != wantStatus || strings.Count(strings.TrimSpace(body), "\n") != 0 ||
		json.Unmarshal([]byte(body), &e) != nil || e.Detail != want.Error() || e.Code != codeOf(want) || e.Code == 0 {
		t.Errorf("%s: %d %q, want %d %q (code %d)", name, status, body, wantStatus, want, codeOf(want))
	}
}

// TestControlAPICrossSitePayRefused plays the web page the operator
// visits: its simple POST (text/plain, its own Origin, a rebound Host)
// to /v1/ledger/quote/pay, and each variation that drops one of the
// telltales. Every one is refused and the quote stays unpaid; the CLI's
// own client then pays it.
func TestControlAPICrossSitePayRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := runNode(t, dir, "gateway")
	ctx := context.Background()
	q, err := n.Ledger().Mint().CreateQuote(ctx, 10, ledger.Unit)
	if err != nil {
		t.Fatal(err)
	}
	tok := n.Client().token
	addr := n.APIAddr()
	port := addr[strings.LastIndex(addr, ":")+1:]
	body := `{"quote":"` + q.ID + `"}`
	pay := func(name, host, origin, ctype, token string) apiRequest {
		return apiRequest{name, http.MethodPost, "/v1/ledger/quote/pay", host, origin, ctype, token, body}
	}
	for _, c := range []struct {
		r      apiRequest
		status int
		err    error
	}{
		{pay("the page's post", "evil.example:"+port, "http://evil.example", "text/plain", ""), 403, ErrAPIHost},
		{pay("foreign origin", "", "http://evil.example", "application/json", tok), 403, ErrAPIOrigin},
		{pay("null origin", "", "null", "application/json", tok), 403, ErrAPIOrigin},
		{pay("text/plain", "", "", "text/plain", tok), 415, ErrAPIContentType},
		{pay("no content type", "", "", "", tok), 415, ErrAPIContentType},
		{pay("rebound host", "evil.example:"+port, "", "application/json", tok), 403, ErrAPIHost},
		{pay("other port", "127.0.0.1:1", "", "application/json", tok), 403, ErrAPIHost},
		{pay("no token", "", "", "application/json", ""), 401, ErrAPIToken},
		{pay("wrong token", "", "", "application/json", strings.Repeat("0", len(tok))), 401, ErrAPIToken},
	} {
		status, b := c.r.send(t, addr)
		wantRefusal(t, c.r.name, status, b, c.status, c.err)
	}
	if got, err := n.Ledger().Mint().Quote(ctx, q.ID); err != nil || got.State != ledger.QuoteUnpaid {
		t.Fatalf("after the refused posts the quote is %+v %v, want UNPAID", got, err)
	}
	status, b := pay("same origin", "localhost:"+port, "http://localhost:"+port, "application/json", tok).send(t, addr)
	if status != 200 {
		t.Fatalf("the API's own origin with the token: %d %s", status, b)
	}
	if got, err := n.Ledger().Mint().Quote(ctx, q.ID); err != nil || got.State != ledger.QuotePaid {
		t.Fatalf("quote %+v %v, want PAID", got, err)
	}
}

// TestControlAPIRebindingReadRefused: after DNS rebinding the page's own
// name points at the API and the browser lets it read the answers; the
// Host it sends is refused even for reads, token or not.
func TestControlAPIRebindingReadRefused(t *testing.T) {
	t.Parallel()
	n := runNode(t, t.TempDir(), "relay")
	addr := n.APIAddr()
	port := addr[strings.LastIndex(addr, ":")+1:]
	for _, path := range []string{"/v1/status", "/v1/dashboard", "/"} {
		r := apiRequest{name: path, method: http.MethodGet, path: path, host: "evil.example:" + port, token: n.Client().token}
		status, b := r.send(t, addr)
		wantRefusal(t, "GET "+path, status, b, 403, ErrAPIHost)
	}
}

// TestControlAPITokenFile: on TCP the node writes its token 0600 to
// DATA/api.token; a request without it is refused, ClientOf(DATA) finds
// it, and a token file others can read is refused by the client.
func TestControlAPITokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := runNode(t, dir, "relay")
	path := filepath.Join(dir, apiTokenFile)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	ctx := context.Background()
	if _, err := NewClient(n.APIAddr()).Status(ctx); !errors.Is(err, ErrAPIToken) || errors.Is(err, ErrAPIHost) {
		t.Fatalf("status without the token: %v", err)
	}
	c, err := ClientOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx); err != nil || st.Peer != n.ID().String() {
		t.Fatalf("status with the token: %+v %v", st, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ClientOf(dir); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("a world-readable token file: %v", err)
	}
}

// TestDashboardTokenCookie: the dashboard URL trades its token for a
// SameSite cookie that opens the page and its figures, but no POST.
func TestDashboardTokenCookie(t *testing.T) {
	t.Parallel()
	n := runNode(t, t.TempDir(), "gateway")
	base := "http://" + n.APIAddr()
	if resp, err := http.Get(base + "/"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("the page without the token: %v %v", resp, err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(n.DashboardURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.RawQuery != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("dashboard URL: %s, landed on %s", resp.Status, resp.Request.URL)
	}
	if resp, err := browser.Get(base + "/v1/dashboard"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("figures with the cookie: %v %v", resp, err)
	}
	resp, err = browser.Post(base+"/v1/ledger/quote/pay", "application/json", strings.NewReader(`{"quote":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantRefusal(t, "POST with the cookie", resp.StatusCode, string(b), 401, ErrAPIToken)
}

// TestControlAPIUnixSocket: the socket needs no token (it is 0600) and
// writes none, but a request with an Origin, which only a browser adds,
// is refused.
func TestControlAPIUnixSocket(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "ccapi") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	n := runNodeConfig(t, Config{DataDir: dir, Roles: []string{"relay"}, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "unix"})
	c := n.Client()
	if c.token != "" {
		t.Fatal("a unix socket API has a token")
	}
	if _, err := os.Stat(filepath.Join(dir, apiTokenFile)); !os.IsNotExist(err) {
		t.Fatalf("a unix socket node wrote a token file: %v", err)
	}
	ctx := context.Background()
	if _, err := c.Status(ctx); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/status", nil)
	req.Header.Set("Origin", "http://evil.example")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantRefusal(t, "origin on the socket", resp.StatusCode, string(b), 403, ErrAPIOrigin)
}
