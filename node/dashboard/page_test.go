package dashboard

import (
	"regexp"
	"strings"
	"testing"
)

// wantChart is a chart a role's page must hold: its id, its title, the
// title of its y axis, and (for rates) the label at the top of the y axis.
type wantChart struct {
	id, title, ytitle, top string
}

// rolePages is what each role's page must show after 12 samples of the
// fixture's counters. The tops are peak rates, not totals: 60 cells in a
// sample of 5 s is 12 cells/s (the total by then is 480).
var rolePages = map[string][]wantChart{
	roleGateway: {
		{"issuance", "units issued per day against today's daily cap", "units", "80"},
		{"outstanding", "outstanding units by expiry day", "units", "50"},
		{"tasks-rate", "tasks accepted per minute", "tasks / min", "36"},
		{"workers", "worker sessions by mode, now", "sessions", "3"},
		{"escrow", "units held in escrow for running jobs", "units", "40"},
		{"cells-rate", "cells relayed for others per second", "cells / s", "12"},
	},
	roleOpen: {
		{"worker-tasks", "tasks run and reported per minute", "tasks / min", "36"},
		{"earnings", "units earned per minute", "units / min", "72"},
		{"credit", "account credit at the gateway", "units", "48"},
		{"cells-rate", "cells relayed for others per second", "cells / s", "12"},
	},
	roleStealth: {
		{"worker-tasks", "tasks run and reported per minute", "tasks / min", "36"},
		{"earnings", "units earned per minute", "units / min", "72"},
		{"wallet-expiry", "wallet balance by expiry day", "units", "24"},
	},
	roleRelay: {
		{"cells-rate", "cells relayed for others per second", "cells / s", "12"},
		{"relay-bytes", "bytes relayed for others per second", "bytes / s", "6.0 KiB"},
		{"relay-circuits", "circuits of others through this node", "circuits", "4"},
		{"relay-unexpected_cells", "cells refused as out of place, per minute", "per min", "36"},
		{"relay-create_queue", "circuit creations waiting, now", "count", "2"},
	},
	roleMarket: {
		{"orders-rate", "orders placed per minute", "orders / min", "36"},
		{"orders", "orders by state, now", "orders", "12"},
		{"market-escrow", "units in escrow", "units", "12"},
		{"cashout", "cash-out queue: sell requests awaiting the operator", "requests", "3"},
	},
}

var yTickRe = regexp.MustCompile(`<text class="ytick"[^>]*>([^<]*)</text>`)

// figureOf is the HTML of the chart with id on page, or "".
func figureOf(page, id string) string {
	i := strings.Index(page, `<figure id="`+id+`">`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</figure>")
	return page[i : i+j]
}

// TestRolePages: each role's page holds its labelled charts, the rate
// charts topped by the rate per interval (a page of cumulative totals
// fails here), and nothing that looks like a network address.
func TestRolePages(t *testing.T) {
	t.Parallel()
	for role, charts := range rolePages {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, role)
			f.advance(12)
			page := f.get(t, "/").Body.String()
			for _, c := range charts {
				fig := figureOf(page, c.id)
				if fig == "" {
					t.Errorf("no chart %q", c.id)
					continue
				}
				if !strings.Contains(fig, "<figcaption>"+escape(c.title)+"</figcaption>") ||
					!strings.Contains(fig, ">"+escape(c.ytitle)+"</text>") {
					t.Errorf("chart %q lacks its title %q or y axis title %q:\n%s", c.id, c.title, c.ytitle, fig)
				}
				ticks := yTickRe.FindAllStringSubmatch(fig, -1)
				if len(ticks) != 3 || ticks[2][1] != c.top {
					t.Errorf("chart %q: y ticks %q, want top %q", c.id, ticks, c.top)
				}
				if strings.Contains(fig, "<polyline") && !strings.Contains(fig, ">time (UTC)</text>") {
					t.Errorf("chart %q: a line over time without a labelled time axis", c.id)
				}
			}
			checkNoAddress(t, page)
		})
	}
}

// escape is html/template's escaping of the few characters the titles use.
func escape(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

// TestStealthPageHasNoRelayCharts: a stealth worker relays nothing, so
// its page shows no relay section and no "relayed for others" chart of
// zeros (the old page did, for every role).
func TestStealthPageHasNoRelayCharts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, roleStealth)
	f.advance(3)
	page := f.get(t, "/").Body.String()
	for _, bad := range []string{`id="relay"`, "relayed for others", "cells / s", `id="gateway"`, `id="market"`} {
		if strings.Contains(page, bad) {
			t.Errorf("stealth page shows %q", bad)
		}
	}
	if !strings.Contains(page, `id="worker"`) {
		t.Error("stealth page lacks its worker section")
	}
}

// addressPatterns are what a network address looks like on a page:
// multiaddr components, dotted IPv4, bracketed or long IPv6, host:port.
var addressPatterns = []*regexp.Regexp{
	regexp.MustCompile(`/(ip4|ip6|dns|dns4|dns6|tcp|udp|quic-v1|p2p-circuit)/`),
	regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`),
	regexp.MustCompile(`(?i)\[[0-9a-f:]*:[0-9a-f:]*\]`),
	regexp.MustCompile(`(?i)\b[0-9a-f]{1,4}(:[0-9a-f]{1,4}){4,7}\b`),
	regexp.MustCompile(`(?i)\b[0-9a-f]{0,4}::[0-9a-f]{1,4}\b`),
	regexp.MustCompile(`(?i)\blocalhost\b`),
}

func checkNoAddress(t *testing.T, page string) {
	t.Helper()
	for _, re := range addressPatterns {
		if m := re.FindString(page); m != "" {
			t.Errorf("page contains an address-like %q (%s)", m, re)
		}
	}
}

// TestAddressPatterns: the scan finds the addresses it is for, and not
// the times on the axes.
func TestAddressPatterns(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"/ip4/10.1.2.3/tcp/4001", "192.168.0.7", "[::1]:80", "fe80::1", "2001:db8:0:0:0:0:2:1", "localhost:9"} {
		found := false
		for _, re := range addressPatterns {
			found = found || re.MatchString("x "+a+" y")
		}
		if !found {
			t.Errorf("%q not found", a)
		}
	}
	for _, re := range addressPatterns {
		if re.MatchString("12:00:55 Dec 01 6.0 KiB") {
			t.Errorf("%s matches an axis label", re)
		}
	}
}

// TestPageCSP: the page forbids every script and external asset and is
// not cached.
func TestPageCSP(t *testing.T) {
	t.Parallel()
	rec := newFixture(t, roleRelay).get(t, "/")
	csp := rec.Header().Get("Content-Security-Policy")
	if csp != "default-src 'none'; style-src 'unsafe-inline'; img-src data:" {
		t.Fatalf("CSP %q", csp)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("headers %v", rec.Header())
	}
	body := rec.Body.String()
	for _, bad := range []string{"<script", "http://", "https://", "src=", "href="} {
		if strings.Contains(strings.ReplaceAll(body, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("page holds %q", bad)
		}
	}
}
