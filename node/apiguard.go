package node

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net"
	"net/http"
	"strings"
)

// The control API's gate, in front of every endpoint. The attacker is a
// web page the operator visits: it can send simple cross-site requests
// (text/plain POSTs, no custom headers) to a loopback port, and by DNS
// rebinding it can make its own name resolve to 127.0.0.1 and read the
// answers. The gate refuses, in order:
//   - a Host that is not the address the API listens on (rebinding: the
//     browser sends the attacker's name); on a unix socket, which no
//     browser reaches, any Host;
//   - an Origin other than the API's own (on a unix socket, any Origin);
//   - a request that is not GET or HEAD without a JSON content type (a
//     cross-site form or fetch cannot send one without a preflight, which
//     the API never answers);
//   - on TCP, a request without the token (apitoken.go). A GET or HEAD may
//     carry it in the dashboard's cookie instead, which the page sets when
//     opened with ?token= (DashboardURL); the cookie is SameSite=Strict.

// Sentinels of the gate's refusals (codes in node's table, apierrors.go).
var (
	ErrAPIHost        = errors.New("node: control API: request for a foreign host refused")
	ErrAPIOrigin      = errors.New("node: control API: cross-site request refused")
	ErrAPIContentType = errors.New("node: control API: content type must be application/json")
	ErrAPIToken       = errors.New("node: control API: missing or wrong token (give --data DIR or --api-token FILE)")
)

// dashboardTokenQuery is the query parameter DashboardURL carries the
// token in.
const dashboardTokenQuery = "token"

// apiGuard gates next for a listener at addr (network "unix" or "tcp")
// demanding token ("" for none).
type apiGuard struct {
	next    http.Handler
	network string
	port    string
	ip      string
	token   string
}

func newAPIGuard(next http.Handler, l *apiListener) *apiGuard {
	g := &apiGuard{next: next, network: l.Addr().Network(), token: l.token}
	if g.network != "unix" {
		g.ip, g.port, _ = net.SplitHostPort(l.Addr().String())
	}
	return g
}

func (g *apiGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, err := g.check(r)
	if err != nil {
		writeRefusal(w, status, err)
		return
	}
	if g.token != "" && r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.Query().Has(dashboardTokenQuery) {
		g.setCookie(w) // the token came in the query: trade it for the cookie
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	g.next.ServeHTTP(w, r)
}

// check returns the status and error of a refusal, or nil.
func (g *apiGuard) check(r *http.Request) (int, error) {
	switch {
	case !g.hostOK(r.Host):
		return http.StatusForbidden, ErrAPIHost
	case !g.originOK(r.Header.Values("Origin"), r.Host):
		return http.StatusForbidden, ErrAPIOrigin
	case !safeMethod(r.Method) && !isJSON(r.Header.Get("Content-Type")):
		return http.StatusUnsupportedMediaType, ErrAPIContentType
	case !g.tokenOK(r):
		return http.StatusUnauthorized, ErrAPIToken
	}
	return 0, nil
}

// hostOK: on TCP the Host is the listening IP or localhost, on the
// listening port.
func (g *apiGuard) hostOK(host string) bool {
	if g.network == "unix" {
		return true
	}
	h, p, err := net.SplitHostPort(host)
	return err == nil && p == g.port && (h == g.ip || h == "localhost")
}

// originOK: no Origin, or (on TCP) exactly the API's own.
func (g *apiGuard) originOK(origins []string, host string) bool {
	if len(origins) == 0 {
		return true
	}
	return g.network != "unix" && len(origins) == 1 && origins[0] == "http://"+host
}

func (g *apiGuard) tokenOK(r *http.Request) bool {
	if g.token == "" {
		return true
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && g.equal(tok) {
		return true
	}
	if safeMethod(r.Method) {
		if c, err := r.Cookie(g.cookieName()); err == nil && g.equal(c.Value) {
			return true
		}
		if r.URL.Path == "/" && r.URL.Query().Has(dashboardTokenQuery) {
			return g.equal(r.URL.Query().Get(dashboardTokenQuery))
		}
	}
	return false
}

func (g *apiGuard) equal(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), []byte(g.token)) == 1
}

// cookieName names the port: cookies are shared by every port of a host.
func (g *apiGuard) cookieName() string { return "cyclecash_api_" + g.port }

func (g *apiGuard) setCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: g.cookieName(), Value: g.token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}
