package testnet

import (
	"context"
	"strings"
	"testing"
	"time"

	"cyclecash/node"
)

// TestMarketHiddenInProcess: the market role hands its site to the node,
// which serves it on the hidden service's "80 role:market" port in process:
// an ordinary HTTP client reaches the market's page by its .mesh address
// through another node's SOCKS5 proxy while the market binds no loopback
// port ([market] listen = "off").
func TestMarketHiddenInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("8-node network")
	}
	n, err := Start(t.TempDir(), Options{N: 8, Configure: func(i int, c *node.Config) {
		switch i {
		case 6:
			c.Roles = []string{"relay", "market"}
			c.Market.Listen = "off"
			c.HiddenServices = []node.HSServiceConfig{{Name: "market", Ports: []string{"80 role:market"}}}
			c.HSRepublishForTest = 2 * time.Second
		case 7:
			c.Socks = "127.0.0.1:0"
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.WaitDirectory(ctx, 7); err != nil {
		t.Fatal(err)
	}
	mk := n.Nodes[6]
	if a := mk.MarketAddr(); a != "" {
		t.Fatalf("the market binds %s with listen = off", a)
	}
	waitHSPublished(ctx, t, mk)
	body, err := getThroughSocks(n.Nodes[7].SocksAddr().String(), mk.HiddenServices()[0].Address)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "· Market</title>") {
		t.Fatalf("not the market's page: %.200q", body)
	}
	if st := mk.HiddenServices()[0]; st.Served == 0 {
		t.Fatalf("the page came, but the service counts no introduction served: %+v", st)
	}
}
