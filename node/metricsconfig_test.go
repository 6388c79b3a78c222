package node

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"cyclecash/node/metrics"
)

// TestNodeMetrics: a gateway with metrics set serves its figures, the
// dashboard's, in Prometheus text on the loopback address; the scrape
// names no network address.
func TestNodeMetrics(t *testing.T) {
	t.Parallel()
	gw := runNodeConfig(t, Config{DataDir: t.TempDir(), Roles: []string{"relay", "gateway"},
		Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0", Metrics: "127.0.0.1:0",
		Ledger: LedgerConfig{Capacity: 3000}})
	resp, err := http.Get("http://" + gw.MetricsAddr() + metrics.Path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{"cyclecash_relay_cells_total", "cyclecash_gateway_tasks_accepted_total",
		"cyclecash_ledger_daily_cap_units 80", "cyclecash_node_directory_relays"} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %q:\n%s", want, text)
		}
	}
	for _, leak := range append(gw.P2PAddrs(), "/ip4/", "127.0.0.1") {
		if strings.Contains(text, leak) {
			t.Errorf("scrape names %q", leak)
		}
	}
}

// TestNodeMetricsRefusesPublic: metrics on an address others can reach
// fail the node's start with one clear error.
func TestNodeMetricsRefusesPublic(t *testing.T) {
	t.Parallel()
	_, err := New(Config{DataDir: t.TempDir(), Listen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0",
		Metrics: "0.0.0.0:9100"}, nil)
	if !errors.Is(err, metrics.ErrNotLoopback) || !strings.HasPrefix(err.Error(), "node: config: metrics: ") {
		t.Fatalf("New: %v", err)
	}
}

// TestRelayFiguresOnlyWhereRelayed: a relay reports relay figures; a
// confined client (a stealth worker) relays nothing and reports none, so
// its dashboard and metrics show no relay figures of zeros.
func TestRelayFiguresOnlyWhereRelayed(t *testing.T) {
	t.Parallel()
	relay := runNode(t, t.TempDir(), "relay")
	if _, ok := relay.host.Figures(t.Context())["relay"]; !ok {
		t.Error("a relay reports no relay figures")
	}
	client, err := New(Config{DataDir: t.TempDir(), ClientOnly: true, Listen: []string{}, API: "127.0.0.1:0",
		Bootstrap: relay.P2PAddrs()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, ok := client.host.Figures(t.Context())["relay"]; ok {
		t.Error("a confined client reports relay figures")
	}
}
