package testnet

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cyclecash/ledger/mintapi"
	"cyclecash/node"
	"cyclecash/overlay/tor/tortest"

	"golang.org/x/net/proxy"
)

// ledgerPerCircuit: the attacker is one Tor user of the gateway's onion
// Cashu API, creating quotes until its budget is gone, to lock every other
// Tor user out. Every onion client reaches the gateway from loopback, so
// with a plain onion service (tor.services) they all share one bucket and
// the second user is refused. With tor.ledger_onion each Tor circuit is
// its own client: the attacker's circuit is refused, a second user's
// (another circuit, by SOCKS isolation) is served.
func ledgerPerCircuit(ctx context.Context, t *testing.T, tn *tortest.Network, gw *node.Node) {
	onion := waitNamedOnion(ctx, t, gw, "cashu")
	client, err := tn.StartClient(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	user := func(name string) *http.Client {
		socks, err := proxy.SOCKS5("tcp", "127.0.0.1:"+strconv.Itoa(client.SocksPort),
			&proxy.Auth{User: name, Password: "x"}, proxy.Direct)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			DialContext: socks.(proxy.ContextDialer).DialContext}}
	}
	quote := func(c *http.Client) (int, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", "http://"+onion+"/v1/mint/quote/cu",
			strings.NewReader(`{"amount":1,"unit":"cu"}`))
		if err != nil {
			return 0, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body) // keep the connection, and its circuit
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	attacker, other := user("attacker"), user("other")
	for { // the separate tor bootstraps and finds the service
		code, err := quote(attacker)
		if err == nil {
			if code != http.StatusOK {
				t.Fatalf("first quote over the onion service: %d", code)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the cashu onion service never answered: %v", err)
		}
		time.Sleep(time.Second)
	}
	// The bucket refills a quote a second while the attacker spends it
	// one round trip through tor at a time: allow for that, not for a
	// second bucket.
	refused := false
	for range 3 * mintapi.DefaultQuoteBurst {
		code, err := quote(attacker)
		if err != nil {
			t.Fatal(err)
		}
		if code == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatalf("the attacker's circuit created %d quotes without a refusal", 3*mintapi.DefaultQuoteBurst)
	}
	if code, err := quote(other); err != nil || code != http.StatusOK {
		t.Fatalf("another tor user, on its own circuit, got %d %v after the attacker exhausted its budget", code, err)
	}
}
