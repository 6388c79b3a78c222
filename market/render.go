package market

import (
	"bytes"
	"embed"
	"html/template"
	"io"
	"net/http"
	"time"
)

//go:embed templates/*.html templates/style.css
var assets embed.FS

var pages = parsePages()

var funcs = template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"add":  func(a, b int) int { return a + b },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
}

func parsePages() map[string]*template.Template {
	names := []string{"error", "home", "listing", "edit", "signup", "created", "login", "account",
		"order", "withdrawal", "cash", "op", "oplogin"}
	out := map[string]*template.Template{}
	for _, n := range names {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+n+".html"))
		out[n] = t
	}
	return out
}

// page is a page's own data.
type page struct {
	Title string
	Error string
	Data  any
}

// view is what every template sees.
type view struct {
	page
	Account  string
	Operator bool
	CSRF     string
	Nonce    string
}

func (m *Market) renderTo(w io.Writer, name string, v *visit, p page) {
	nonce, _ := m.random(16)
	vw := view{page: p, Account: v.sess.Account, Operator: v.sess.Operator, CSRF: v.csrf, Nonce: hexs(nonce)}
	var buf bytes.Buffer
	if err := pages[name].Execute(&buf, vw); err != nil {
		io.WriteString(w, "market: internal error")
		return
	}
	w.Write(buf.Bytes())
}

func (m *Market) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	m.renderTo(w, name, visitOf(r), p)
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	b, _ := assets.ReadFile("templates/style.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(b)
}
