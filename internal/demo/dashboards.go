package demo

import (
	"fmt"
	"html/template"
	"net/http"

	"cyclecash/node"
)

// Dashboard names one node's dashboard: its role in the demo and the URL
// of its control API's page (loopback).
type Dashboard struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Dashboards lists every node's dashboard, gateway first, relays last.
func (d *Demo) Dashboards() []Dashboard {
	out := []Dashboard{{"gateway", pageURL(d.gw)}, {"buyer", pageURL(d.buyer)}}
	for i, w := range d.open {
		out = append(out, Dashboard{fmt.Sprintf("open worker %d", i+1), pageURL(w)})
	}
	for i, w := range d.stealth {
		out = append(out, Dashboard{fmt.Sprintf("stealth worker %d", i+1), pageURL(w)})
	}
	if d.market != nil {
		out = append(out, Dashboard{"market", pageURL(d.market)})
	}
	for i, n := range d.net.Nodes[:d.opts.Relays] {
		out = append(out, Dashboard{fmt.Sprintf("relay %d", i+1), pageURL(n)})
	}
	return out
}

func pageURL(n *node.Node) string { return n.DashboardURL() }

// IndexHandler serves one page linking every node's dashboard.
func (d *Demo) IndexHandler() http.Handler {
	list := d.Dashboards()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		_ = indexTemplate.Execute(w, list)
	})
}

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cyclecash demo</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:24px}li{margin:4px 0}</style></head><body>
<h1>cyclecash demo</h1><p>Every node serves its own dashboard on its control API:</p>
<ul>{{range .}}<li><a href="{{.URL}}">{{.Name}}</a></li>{{end}}</ul>
</body></html>
`))
