package dashboard

import (
	"bytes"
	"html/template"
	"net/http"
)

// pageCSP forbids every external asset and every script: the page is one
// self-contained server-rendered document.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

// pageData is what the template renders.
type pageData struct {
	Dashboard
	Sections []section
	Now      Traffic
}

// servePage renders the dashboard. It refreshes itself every 5 s with a
// meta tag: no JavaScript.
func (d *Page) servePage(w http.ResponseWriter, r *http.Request) {
	figs := d.h.Figures(r.Context())
	db := d.collectFrom(figs)
	data := pageData{Dashboard: db, Sections: sections(figs, d.rates.samples(), d.rates.now())}
	if len(db.Traffic) > 0 {
		data.Now = db.Traffic[len(db.Traffic)-1]
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		http.Error(w, "node: dashboard: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"bytes": func(v uint64) string { return humanBytes(float64(v)) },
}).Parse(pageHTML + chartHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>cyclecash node {{printf "%.12s" .Peer}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:20px 0 6px}
code{font-size:12px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 10px;text-align:right}
th{background:#f0f0f0}svg{background:#fff;border:1px solid #ddd;border-radius:6px}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
.muted{color:#777}
</style></head><body>
<h1>cyclecash node</h1>
<p>peer <code>{{.Peer}}</code><br>roles: {{range .Roles}}{{.}} {{else}}client only{{end}} · up {{.Uptime}}</p>
<div class="cards">
<div class="card">directory<b>{{.Directory}}</b></div>
<div class="card">open circuits<b>{{len .Circuits}}</b></div>
<div class="card">own circuit traffic<b>{{bytes .Now.CircuitBytes}}</b></div>
{{with .Relay}}<div class="card">relaying<b>{{.Circuits}}</b></div>
<div class="card">relayed<b>{{bytes .Bytes}}</b></div>{{end}}
{{with .Gateway}}<div class="card">jobs<b>{{.Jobs}}</b></div>
<div class="card">tasks accepted<b>{{.TasksAccepted}} / {{.Tasks}}</b></div>
<div class="card">units charged<b>{{.UnitsAccepted}}</b></div>{{end}}
{{with .Ledger}}<div class="card">daily cap (units)<b>{{.DailyCap}}</b></div>
<div class="card">issued today<b>{{.MintedToday}}</b></div>
<div class="card">outstanding<b>{{.Outstanding}}</b></div>{{end}}
{{with .Gateway}}<div class="card">in escrow (units)<b>{{.Escrow.Units}}</b></div>{{end}}
{{with .Market}}<div class="card">orders in escrow (units)<b>{{.InEscrow}}</b></div>
<div class="card">cash-out queue<b>{{.CashOutQueue}}</b></div>{{end}}
{{with .Worker}}<div class="card">tasks reported<b>{{.Reported}}</b></div>
{{if eq .Mode "open"}}<div class="card">credit (units)<b>{{.Credit}}</b></div>
{{else}}<div class="card">wallet (units)<b>{{.Balance}}</b></div>
<div class="card">payouts<b>{{.Paid}}</b></div>{{end}}{{end}}
</div>
{{with .Worker}}<p class="muted">worker, {{.Mode}} mode{{if .Err}} · {{.Err}}{{end}}</p>{{end}}
{{range .Sections}}<section id="{{.ID}}"><h2>{{.Title}}</h2><div class="charts">
{{range .Charts}}{{template "chart" .}}{{end}}</div></section>
{{end}}<h2>Circuits</h2>
<table id="circuits"><tr><th>hops</th><th>age</th><th>streams</th><th>sent</th><th>received</th></tr>
{{range .Circuits}}<tr><td>{{.Hops}}</td><td>{{.Age}}</td><td>{{.Streams}}</td><td>{{bytes .Sent}}</td><td>{{bytes .Received}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">no open circuits</td></tr>{{end}}</table>
<h2>Entry guards</h2>
<table><tr><th>peer</th><th>expires</th><th>in directory</th></tr>
{{range .Guards}}<tr><td><code>{{.Peer}}</code></td><td>{{.Expires.Format "2006-01-02"}}</td><td>{{.InDirectory}}</td></tr>
{{else}}<tr><td colspan="3" class="muted">none yet</td></tr>{{end}}</table>
<p class="muted">This page shows this node's own view. It never shows a network address.</p>
</body></html>
`

// chartHTML draws a chart: the plot area's axes, their ticks and titles,
// then the line or the bars.
const chartHTML = `{{define "chart"}}<figure id="{{.ID}}">
<svg role="img" aria-label="{{.Title}}" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" xmlns="http://www.w3.org/2000/svg">
<line x1="{{.Left}}" y1="{{.Top}}" x2="{{.Left}}" y2="{{.Base}}" stroke="#999"/>
<line x1="{{.Left}}" y1="{{.Base}}" x2="{{.Right}}" y2="{{.Base}}" stroke="#999"/>
{{range .YTicks}}<text class="ytick" x="{{$.Left}}" y="{{.Y}}" dx="-4" dy="4" text-anchor="end" font-size="10" fill="#555">{{.Label}}</text>
<line x1="{{$.Left}}" y1="{{.Y}}" x2="{{$.Right}}" y2="{{.Y}}" stroke="#eee"/>
{{end}}{{range .XTicks}}<text class="xtick" x="{{.X}}" y="{{$.Base}}" dy="14" text-anchor="{{.Anchor}}" font-size="10" fill="#555">{{.Label}}</text>
{{end}}<text class="ytitle" transform="translate(14 {{.Mid}}) rotate(-90)" text-anchor="middle" font-size="11" fill="#333">{{.YTitle}}</text>
<text class="xtitle" x="{{.Left}}" y="{{.H}}" dy="-6" font-size="11" fill="#333">{{.XTitle}}</text>
{{if .Empty}}<text x="{{.Left}}" y="{{.Mid}}" dx="12" font-size="12" fill="#777">{{.Empty}}</text>{{end}}
{{with .Points}}<polyline fill="none" stroke="#2a6fdb" stroke-width="2" points="{{.}}"/>{{end}}
{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#2a6fdb"/>
<text class="value" x="{{.LX}}" y="{{.VY}}" text-anchor="middle" font-size="10" fill="#333">{{.Value}}</text>
<text class="xtick" x="{{.LX}}" y="{{$.Base}}" dy="14" text-anchor="middle" font-size="10" fill="#555">{{.Label}}</text>
{{end}}{{with .Cap}}<line x1="{{$.Left}}" y1="{{.Y}}" x2="{{$.Right}}" y2="{{.Y}}" stroke="#d33" stroke-dasharray="4 3"/>
<text x="{{$.Right}}" y="{{.Y}}" dy="-3" text-anchor="end" font-size="10" fill="#d33">{{.Label}}</text>{{end}}
</svg><figcaption>{{.Title}}</figcaption></figure>
{{end}}`
