package market

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
)

// cookieName is the one cookie: a session (stored by hash) or, before
// login, a random visitor value that only anchors CSRF tokens.
const cookieName = "sid"

// csp forbids scripts, plugins, frames and every origin but the site's.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

type ctxKey struct{}

// visit is what a request carries through the handlers.
type visit struct {
	cookie string
	sess   Session
	csrf   string
}

func visitOf(r *http.Request) *visit { return r.Context().Value(ctxKey{}).(*visit) }

// wrap applies the headers, the body limit, the cookie and, on POST, the
// form parsing and CSRF check to every request.
func (m *Market) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		v, err := m.visitFor(w, r)
		if err != nil {
			m.fail(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, v))
		if r.Method == http.MethodPost {
			if err := m.checkPost(w, r, v); err != nil {
				m.fail(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (m *Market) visitFor(w http.ResponseWriter, r *http.Request) (*visit, error) {
	v := &visit{}
	if c, err := r.Cookie(cookieName); err == nil && validID(c.Value) && len(c.Value) == 64 {
		v.cookie = c.Value
		v.sess = m.session(r.Context(), c.Value)
	}
	if v.cookie == "" {
		raw, err := m.random(32)
		if err != nil {
			return nil, err
		}
		v.cookie = hexs(raw)
		m.setCookie(w, v.cookie)
	}
	v.csrf = m.csrfToken(v.cookie)
	return v, nil
}

func (m *Market) setCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(m.cfg.SessionTTL.Seconds())})
}

func (m *Market) csrfToken(cookie string) string {
	mac := hmac.New(sha256.New, m.csrfKey)
	mac.Write([]byte("csrf\x00" + cookie))
	return hexs(mac.Sum(nil))
}

// checkPost parses a urlencoded form of at most MaxBody bytes and checks
// its CSRF token against the request's cookie.
func (m *Market) checkPost(w http.ResponseWriter, r *http.Request, v *visit) error {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return badf("forms must be sent urlencoded")
	}
	if r.ContentLength > m.cfg.MaxBody {
		return ErrTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, m.cfg.MaxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ErrTooLarge
		}
		return badf("unreadable form")
	}
	got := r.PostForm.Get("csrf")
	if _, err := r.Cookie(cookieName); err != nil || !hmac.Equal([]byte(got), []byte(v.csrf)) {
		return ErrCSRF
	}
	return nil
}

// status maps an error to the HTTP status and the line a visitor sees.
// Errors that are not the market's sentinels are internal and shown
// without detail.
func status(err error) (int, string) {
	table := []struct {
		err  error
		code int
	}{
		{ErrNotFound, 404}, {ErrCSRF, 403}, {ErrRateLimited, 429}, {ErrTooLarge, 413},
		{ErrLoginRequired, 401}, {ErrOperator, 403}, {ErrBadOperatorKey, 403}, {ErrBadSecret, 403},
		{ErrMintDown, 503}, {ErrNotYours, 403},
		{ErrBadInput, 400}, {ErrSoldOut, 409}, {ErrWithdrawn, 409}, {ErrOwnListing, 409},
		{ErrUnderpaid, 402}, {ErrPriceChanged, 409}, {ErrTokenUsed, 409}, {ErrTokenSpent, 409}, {ErrTokenInvalid, 400},
		{ErrBadToken, 400}, {ErrInsufficient, 409}, {ErrBadState, 409},
	}
	for _, e := range table {
		if errors.Is(err, e.err) {
			return e.code, firstLine(err.Error())
		}
	}
	return 500, "market: internal error"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (m *Market) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := status(err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	v, _ := r.Context().Value(ctxKey{}).(*visit)
	if v == nil {
		v = &visit{}
	}
	m.renderTo(w, "error", v, page{Title: "Error", Error: msg})
}
