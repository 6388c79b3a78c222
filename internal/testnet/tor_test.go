package testnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay/tor/tortest"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	"golang.org/x/net/proxy"
)

// privateTor starts a private Tor network (3 authorities, a middle relay,
// two exits accepting loopback) for one test. A missing tor skips the test
// on a developer's machine and fails it under CI, where .ci/run installs
// tor and sets CI.
func privateTor(t *testing.T) *tortest.Network {
	t.Helper()
	dir, err := os.MkdirTemp("", "testnet-tor-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	tn, err := tortest.Start(ctx, dir)
	if errors.Is(err, tortest.ErrNoTor) && os.Getenv("CI") == "" {
		os.RemoveAll(dir)
		t.Skip("tor is not installed (apt-get install tor); under CI this fails")
	}
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("private tor network: %v", err)
	}
	t.Cleanup(func() { tn.Close(); os.RemoveAll(dir) })
	t.Logf("private tor network ready in %v", tn.Ready.Round(time.Second))
	return tn
}

// torClient makes c a confined client whose every link (bootstrap peer,
// guards) goes through a tor of its own on the private network.
func torClient(tn *tortest.Network) func(c *node.Config) {
	return func(c *node.Config) {
		c.ClientOnly, c.Listen = true, nil
		c.Tor = node.TorConfig{Enabled: true, DialGuards: true, Torrc: tn.ClientTorrc(), BootstrapTimeout: 90 * time.Second}
	}
}

// TestTorBridge runs the Tor bridge against a private Tor network.
//
// Stealth worker through Tor: the attacker is the worker's entry guard
// (or whoever runs it), which sees the source address of every link. A
// stealth worker with tor.dial_guards reaches its guards, registers
// through circuits, computes tasks beside an open worker and is paid in
// tokens; every node holding a link to it sees that link come from a
// socket owned by an exit of the Tor network, never by the worker's
// process. On the old code (no Tor bridge) the link came from the worker.
//
// Relay on an onion service: a relay with tor.onion_listen publishes its
// listener as an onion service and lists the /onion3 address in its
// descriptor (other nodes admit it); a client that knows the relay only
// by that onion address links to it and fetches the directory over the
// link, which the relay receives from its own tor (the onion service),
// not from an exit or the client.
func TestTorBridge(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network with a private tor network")
	}
	if raceEnabled {
		t.Skip("wazero's compiler is ~50x slower under -race; overlay/tor carries the race tests")
	}
	t0 := time.Now()
	tn := privateTor(t)
	const relays = 5
	ledgerPort, err := tortest.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	ledgerAddr := "127.0.0.1:" + strconv.Itoa(ledgerPort[0])
	net, err := Start(t.TempDir(), Options{N: relays + 2, Configure: func(i int, c *node.Config) {
		if i == relays { // the gateway also publishes its Cashu API as an onion service
			gatewayConfig(c)
			c.Ledger.HTTP = ledgerAddr
			c.Tor = node.TorConfig{Enabled: true, Services: []string{"ledger 80 -> " + ledgerAddr}, LedgerOnion: true,
				Torrc: tn.ClientTorrc(), BootstrapTimeout: 90 * time.Second}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			net.Close()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := net.WaitDirectory(ctx, relays+1); err != nil {
		t.Fatal(err)
	}
	var torWorker *node.Node
	t.Run("stealth worker through tor is paid", func(t *testing.T) { torWorker = stealthOverTor(ctx, t, tn, net, relays) })
	t.Run("relay reached on its onion service", func(t *testing.T) { relayOnOnion(ctx, t, tn, net) })
	t.Run("gateway's ledger fetched over its onion service", func(t *testing.T) {
		ledgerOnOnion(ctx, t, tn, net.Nodes[relays], ledgerAddr)
	})
	t.Run("market fetched over its onion service", func(t *testing.T) { marketOnOnion(ctx, t, tn, net) })
	t.Run("onion ledger limits quotes per tor circuit", func(t *testing.T) {
		ledgerPerCircuit(ctx, t, tn, net.Nodes[relays])
	})
	t.Run("stealth worker's tor killed mid-run", func(t *testing.T) {
		kctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		torKilledMidRun(kctx, t, tn, net, torWorker)
	})
	closed = true
	if err := net.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	for i, nd := range net.Nodes { // every node's tor exits with it
		if pids := tortest.TorProcessesUsing(nd.DataDir()); len(pids) != 0 {
			t.Errorf("node %d left tor processes %v", i, pids)
		}
	}
	t.Logf("TestTorBridge ran %v", time.Since(t0).Round(time.Second))
}

func stealthOverTor(ctx context.Context, t *testing.T, tn *tortest.Network, net *Net, relays int) *node.Node {
	gw, buyer := net.Nodes[relays], net.Nodes[relays+1].Client()
	torWorker, err := net.Add(0, func(c *node.Config) {
		workerConfig(node.WorkerStealth)(c)
		torClient(tn)(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	open, err := net.Add(1, workerConfig(node.WorkerOpen))
	if err != nil {
		t.Fatal(err)
	}
	waitAccount(ctx, t, torWorker)
	waitAccount(ctx, t, open)
	pay := buyTokens(t, gw, 32)
	// 12 tasks: with 4, both replicas of every task could land on the
	// open worker, leaving the tor worker nothing to be paid for.
	id, err := buyer.SubmitJob(ctx, primesJob(t, 12, 20_000, 2, pay))
	if err != nil {
		t.Fatal(err)
	}
	res := waitJob(ctx, t, buyer, id)
	checkPrimes(t, res, 20_000)
	if res.State != "done" || res.Accepted != 12 {
		t.Fatalf("job %s: %d of 12 tasks accepted", res.State, res.Accepted)
	}
	if earned := checkPayouts(ctx, t, gw, id, []*node.Node{torWorker, open}); earned != res.Used {
		t.Fatalf("workers earned %d units, the buyer paid %d", earned, res.Used)
	}
	checkStealthRecords(t, gw, []*node.Node{torWorker})
	exits := pidsOf(tn.Exits())
	links := 0
	for i, nd := range net.Nodes {
		for _, c := range nd.Overlay().Host().Network().ConnsToPeer(torWorker.ID()) {
			links++
			owner := socketOwner(t, c)
			if owner == os.Getpid() || !slices.Contains(exits, owner) {
				t.Errorf("node %d sees the tor worker's link from pid %d, not a tor exit %v (we are %d)", i, owner, exits, os.Getpid())
			}
		}
	}
	if links == 0 {
		t.Fatal("no node holds a link to the tor worker: its guard link was not checked")
	}
	if len(torWorker.Status().Guards) == 0 {
		t.Fatal("the tor worker has no guards")
	}
	if st := torWorker.Status().Tor; st == nil || st.Phase != "ready" || st.Percent != 100 {
		t.Fatalf("tor status %+v, want ready at 100%%", st)
	}
	return torWorker
}

func relayOnOnion(ctx context.Context, t *testing.T, tn *tortest.Network, net *Net) {
	relay, err := net.Add(0, func(c *node.Config) {
		c.Tor = node.TorConfig{Enabled: true, OnionListen: true, Torrc: tn.ClientTorrc(), BootstrapTimeout: 90 * time.Second}
	})
	if err != nil {
		t.Fatal(err)
	}
	onion := waitOnion(ctx, t, relay)
	waitListed(ctx, t, net.Nodes[1], relay.ID(), onion)
	relayTor := tortest.TorProcessesUsing(relay.DataDir())
	if len(relayTor) != 1 {
		t.Fatalf("relay's tor processes: %v", relayTor)
	}
	client, err := net.Add(0, func(c *node.Config) {
		torClient(tn)(c)
		c.Bootstrap = []string{onion.String() + "/p2p/" + relay.ID().String()}
	})
	if err != nil {
		t.Fatal(err)
	}
	for client.Overlay().Directory().Len() < 6 {
		if ctx.Err() != nil {
			t.Fatalf("the client fetched %d descriptors through the onion link", client.Overlay().Directory().Len())
		}
		time.Sleep(200 * time.Millisecond)
	}
	conns := relay.Overlay().Host().Network().ConnsToPeer(client.ID())
	if len(conns) == 0 {
		t.Fatal("the relay holds no link from the client")
	}
	for _, c := range conns {
		if owner := socketOwner(t, c); owner != relayTor[0] {
			t.Errorf("the relay received the client's link from pid %d, not its onion service's tor %d", owner, relayTor[0])
		}
	}
}

// waitOnion waits until the relay published its mesh onion service and
// lists it among its addresses.
func waitOnion(ctx context.Context, t *testing.T, nd *node.Node) ma.Multiaddr {
	t.Helper()
	for {
		if st := nd.Status().Tor; st != nil && st.Issue != "" {
			t.Fatalf("relay's tor: %s", st.Issue)
		}
		for _, a := range nd.Overlay().Addrs() {
			if _, err := a.ValueForProtocol(ma.P_ONION3); err == nil {
				return a
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("the relay never published its onion service: %+v", nd.Status().Tor)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitListed waits until other holds p's descriptor listing onion.
func waitListed(ctx context.Context, t *testing.T, other *node.Node, p peer.ID, onion ma.Multiaddr) {
	t.Helper()
	for {
		if d, ok := other.Overlay().Directory().Get(p); ok && slices.ContainsFunc(d.Addrs, onion.Equal) {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("no directory admitted the relay's descriptor with its onion address (rejected: %v)", other.Overlay().Directory().Rejections())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// socketOwner is the pid owning the far end's socket of the loopback
// connection c.
func socketOwner(t *testing.T, c network.Conn) int {
	t.Helper()
	from, err := manet.ToNetAddr(c.RemoteMultiaddr())
	if err != nil {
		t.Fatalf("remote address: %v", err)
	}
	to, err := manet.ToNetAddr(c.LocalMultiaddr())
	if err != nil {
		t.Fatalf("local address: %v", err)
	}
	ft, ok := from.(*net.TCPAddr)
	tt, ok2 := to.(*net.TCPAddr)
	if !ok || !ok2 || !ft.IP.IsLoopback() {
		t.Fatalf("the connection is not loopback tcp")
	}
	return tortest.SocketOwner(ft, tt)
}

func pidsOf(rs []*tortest.Relay) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.PID())
	}
	return out
}

// ledgerOnOnion: a wallet user with Tor Browser (here a separate tor, not
// the node's, through its SOCKS port) fetches the gateway's keysets from
// its onion service and gets what the ledger serves on loopback.
func ledgerOnOnion(ctx context.Context, t *testing.T, tn *tortest.Network, gw *node.Node, direct string) {
	onion := waitNamedOnion(ctx, t, gw, "ledger")
	want := get(ctx, t, http.DefaultClient, "http://"+direct+"/v1/keys")
	if body := fetchOverTor(ctx, t, torHTTPClient(t, tn), "http://"+onion+"/v1/keys"); body != want || !strings.Contains(body, "keysets") {
		t.Fatalf("over tor the ledger served %q, on loopback %q", body, want)
	}
}

// marketOnOnion: company B's market, published as a Tor v3 onion service
// (tor.services), is fetched by a separate tor client through its SOCKS
// port, as a Tor Browser user would: the stylesheet byte for byte as on
// loopback, and the home page a market page.
func marketOnOnion(ctx context.Context, t *testing.T, tn *tortest.Network, net *Net) {
	port, err := tortest.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	site := "127.0.0.1:" + strconv.Itoa(port[0])
	mk, err := net.Add(0, func(c *node.Config) {
		c.Roles = []string{"relay", "market"}
		c.Market.Listen = site
		c.Tor = node.TorConfig{Enabled: true, Services: []string{"market 80 -> " + site},
			Torrc: tn.ClientTorrc(), BootstrapTimeout: 90 * time.Second}
	})
	if err != nil {
		t.Fatal(err)
	}
	onion := waitNamedOnion(ctx, t, mk, "market")
	viaTor := torHTTPClient(t, tn)
	want := get(ctx, t, http.DefaultClient, "http://"+site+"/style.css")
	if got := fetchOverTor(ctx, t, viaTor, "http://"+onion+"/style.css"); got != want || want == "" {
		t.Fatalf("over tor the market's stylesheet is %d bytes, on loopback %d", len(got), len(want))
	}
	if home := fetchOverTor(ctx, t, viaTor, "http://"+onion+"/"); !strings.Contains(home, "Market</title>") {
		t.Fatalf("over tor the market's home page is %q", home)
	}
}

// torHTTPClient is an HTTP client dialling through a tor client of its own
// on tn, closed with the test.
func torHTTPClient(t *testing.T, tn *tortest.Network) *http.Client {
	t.Helper()
	client, err := tn.StartClient(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	socks, err := proxy.SOCKS5("tcp", "127.0.0.1:"+strconv.Itoa(client.SocksPort), nil, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: socks.(proxy.ContextDialer).DialContext}}
}

// fetchOverTor fetches url through c, retrying while its tor bootstraps
// and the service's descriptor spreads.
func fetchOverTor(ctx context.Context, t *testing.T, c *http.Client, url string) string {
	t.Helper()
	for {
		body, err := fetch(ctx, c, url)
		if err == nil {
			return body
		}
		if ctx.Err() != nil {
			t.Fatalf("fetching %s over tor: %v", url, err)
		}
		time.Sleep(time.Second)
	}
}

// waitNamedOnion waits until nd lists its onion service name.
func waitNamedOnion(ctx context.Context, t *testing.T, nd *node.Node, name string) string {
	t.Helper()
	for {
		st := nd.Status().Tor
		if st != nil && st.Issue != "" {
			t.Fatalf("tor: %s", st.Issue)
		}
		for _, o := range st.Onions {
			if o.Name == name {
				if !strings.HasSuffix(o.Addr, ".onion:80") {
					t.Fatalf("onion address %q", o.Addr)
				}
				return o.Addr
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("onion service %s was never published: %+v", name, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func get(ctx context.Context, t *testing.T, c *http.Client, url string) string {
	t.Helper()
	body, err := fetch(ctx, c, url)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func fetch(ctx context.Context, c *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), err
}
