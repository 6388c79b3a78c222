package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsMatchStatus: a gateway process run with --metrics, after a
// cash sale of 7 units; its scrape, parsed by the Prometheus text parser,
// holds the figures `status --json` and `ledger report --json` show for
// the same node, and no network address.
func TestMetricsMatchStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a gateway process")
	}
	t.Parallel()
	maddr := restartablePort(t)
	gw := startGateway(t, t.TempDir(), "", "--role", "relay", "--metrics", maddr)
	w := t.TempDir()
	q := mustCLI(t, "wallet", "--dir", w, "--gateway", gw.url, "buy", "--amount", "7")
	mustCLI(t, "ledger", "--data", gw.data, "quote", "pay", q)
	mustCLI(t, "wallet", "--dir", w, "mint", q)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := statusJSON(t, ctx, gw.data)
	rep := report(t, gw.data)

	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s %v", resp.Status, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("the scrape does not parse: %v", err)
	}
	sum := func(name string) float64 {
		f := fams[name]
		if f == nil {
			t.Errorf("no metric %s", name)
			return -1
		}
		v := 0.0
		for _, m := range f.GetMetric() {
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				v += m.GetCounter().GetValue()
			default:
				v += m.GetGauge().GetValue()
			}
		}
		return v
	}
	var issued uint64
	for _, k := range rep.Keysets {
		issued += k.Issued
	}
	for _, c := range []struct {
		name string
		want float64
	}{
		{"cyclecash_node_directory_relays", float64(st.Directory)},
		{"cyclecash_node_circuits", float64(len(st.Circuits))},
		{"cyclecash_relay_circuits", float64(st.Relaying)},
		{"cyclecash_relay_creates_handled_total", float64(st.RelayDefence.CreatesHandled)},
		{"cyclecash_relay_links_refused_total", float64(st.RelayDefence.LinksRefused)},
		{"cyclecash_ledger_daily_cap_units", float64(rep.DailyCap)},
		{"cyclecash_ledger_total_cap_units", float64(rep.TotalCap)},
		{"cyclecash_ledger_issued_today_units", float64(rep.MintedToday)},
		{"cyclecash_ledger_outstanding_units", float64(rep.Outstanding)},
		{"cyclecash_ledger_issued_units", float64(issued)},
		{"cyclecash_ledger_outstanding_by_expiry_units", float64(rep.Outstanding)},
	} {
		if got := sum(c.name); got != c.want {
			t.Errorf("%s = %v; status and the ledger report say %v", c.name, got, c.want)
		}
	}
	if rep.Outstanding != 7 || rep.DailyCap == 0 {
		t.Errorf("the gateway's own figures: outstanding %d, daily cap %d", rep.Outstanding, rep.DailyCap)
	}
	for _, leak := range append(gw.listen, "127.0.0.1", "/ip4/") {
		if strings.Contains(string(body), leak) {
			t.Errorf("the scrape names %q", leak)
		}
	}
}
