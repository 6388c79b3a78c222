package node

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzGuard is a guard for a TCP listener at 127.0.0.1:8080 with a token.
func fuzzGuard() *apiGuard {
	l := &apiListener{Listener: fakeTCPListener{}, token: "secret"}
	return newAPIGuard(http.NotFoundHandler(), l)
}

type fakeTCPListener struct{ net.Listener }

func (fakeTCPListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }

// FuzzAPIGuard: whatever the Host, Origin, content type, method and
// credentials, a request the gate lets through names the listening
// address, carries no foreign Origin, is JSON unless it is a read, and
// carries the token.
func FuzzAPIGuard(f *testing.F) {
	f.Add("POST", "evil.example:8080", "http://evil.example", "text/plain", "", "")
	f.Add("POST", "127.0.0.1:8080", "", "application/json; charset=utf-8", "Bearer secret", "")
	f.Add("GET", "localhost:8080", "http://localhost:8080", "", "", "secret")
	f.Add("GET", "127.0.0.1:8080", "null", "", "Bearer secret", "")
	f.Add("DELETE", "127.0.0.1:08080", "", "application/json", "Bearer secretx", "")
	f.Fuzz(func(t *testing.T, method, host, origin, ctype, auth, cookie string) {
		if !validMethod(method) {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "/v1/status", nil)
		r.Method, r.Host = method, host
		for k, v := range map[string]string{"Origin": origin, "Content-Type": ctype, "Authorization": auth} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		if cookie != "" {
			r.Header.Set("Cookie", "cyclecash_api_8080="+cookie)
		}
		g := fuzzGuard()
		status, err := g.check(r)
		if err != nil {
			if status < 400 || !strings.HasPrefix(err.Error(), "node: control API: ") {
				t.Fatalf("refusal %d %v", status, err)
			}
			return
		}
		if host != "127.0.0.1:8080" && host != "localhost:8080" {
			t.Fatalf("host %q let through", host)
		}
		if origin != "" && origin != "http://"+host {
			t.Fatalf("origin %q let through for host %q", origin, host)
		}
		read := method == http.MethodGet || method == http.MethodHead
		if mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(ctype)), ";"); !read && strings.TrimSpace(mt) != "application/json" {
			t.Fatalf("%s with content type %q let through", method, ctype)
		}
		if auth != "Bearer secret" && !(read && r.Header.Get("Cookie") != "" && cookie == "secret") {
			t.Fatalf("%s with auth %q cookie %q let through", method, auth, cookie)
		}
	})
}

// validMethod is what net/http accepts as a method token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}
