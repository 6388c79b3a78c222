package testnet

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// logCapture keeps every line every node logs, at debug level.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

// leakPattern is what betrays where a peer is: multiaddr components, IPv4
// and IPv6 literals (with or without a port).
var leakPattern = regexp.MustCompile(`/(ip4|ip6|dns4|dns6|dns|dnsaddr|tcp|udp|quic-v1)/` +
	`|\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b` +
	`|\[?::1\]?|\b[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){4,7}\b`)

// allLogs captures the lines of every network the package's tests start
// without a logger of their own (testnet.Capture); TestMain scans them
// when all tests ran.
var allLogs = &logCapture{}

// scanAllLogs reports every captured line holding an address (a node's
// own control API address aside) on stderr and whether there was none.
func scanAllLogs() bool {
	own := OwnAddrs()
	ok := true
	for _, l := range allLogs.lines() {
		clean := l
		for _, a := range own {
			clean = strings.ReplaceAll(clean, a, "[own api]")
		}
		if leakPattern.MatchString(clean) {
			fmt.Fprintf(os.Stderr, "testnet: address in a node's log line: %s\n", l)
			ok = false
		}
	}
	return ok
}

// TestLogsNameNoAddress runs a network through circuits, a confined
// client, a relay that dies under circuits and a dial to a peer nobody
// knows, with every node logging at debug level into one capture, and
// fails on any line or user-facing error holding an address or a listening
// port of any node, or on any line of the gateway naming the confined
// client's (fresh) peer ID. libp2p's dial errors quote every address they
// tried; they pass through overlay's scrub before they are logged, and
// this test fails if a path logs one unscrubbed.
func TestLogsNameNoAddress(t *testing.T) {
	t.Parallel()
	capt := &logCapture{}
	logger := slog.New(slog.NewTextHandler(capt, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const n = 7
	net, err := Start(t.TempDir(), Options{N: n, Logger: logger, Roles: func(i int) []string {
		if i == n-1 {
			return []string{"relay", "gateway"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, n-1); err != nil {
		t.Fatal(err)
	}
	gw := net.Nodes[n-1]
	var userErrs []string
	note := func(err error) {
		if err != nil {
			userErrs = append(userErrs, err.Error())
		}
	}

	// Circuits from an open node and from a confined client.
	note(transfer(ctx, net.Nodes[1], gw))
	confined, err := net.Add(2, func(c *node.Config) { c.ClientOnly, c.Listen, c.Roles = true, nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return confined.Overlay().Directory().Len() >= n-1 })
	note(transfer(ctx, confined, gw))

	// A relay dies: dials to it fail, circuits through it break.
	dead := net.Nodes[3].ID()
	net.Nodes[3].Close()
	for range 4 {
		note(transfer(ctx, net.Nodes[1], gw))
		note(transfer(ctx, confined, gw))
	}
	// A destination the directory still describes, dead: the last relay
	// dials it, and libp2p's error quotes every address it tried.
	_, err = net.Nodes[1].DialService(ctx, node.Target{Peer: dead, Hops: 3}, "echo")
	note(err)
	// A destination nobody describes.
	_, err = net.Nodes[1].DialService(ctx, node.Target{Peer: peer.ID("12D3KooWNobodyKnowsThisPeer"), Hops: 3}, "echo")
	note(err)

	// A node's own control API address (127.0.0.1:port here) is its own
	// configuration, not a peer's address: it is left out of the scan.
	var own []string
	var ports []string
	for _, nd := range net.Nodes {
		if a := nd.APIAddr(); a != "" {
			own = append(own, a)
		}
	}
	for _, nd := range net.Nodes[:n] {
		for _, a := range nd.P2PAddrs() {
			if i := strings.Index(a, "/tcp/"); i >= 0 {
				p := a[i+5:]
				if j := strings.IndexByte(p, '/'); j >= 0 {
					p = p[:j]
				}
				ports = append(ports, p)
			}
		}
	}
	portPattern := regexp.MustCompile(`[:/ =](` + strings.Join(ports, "|") + `)\b`)
	lines := capt.lines()
	dialFailed := 0
	for _, l := range lines {
		if strings.Contains(l, "dial failed") {
			dialFailed++
		}
	}
	if len(lines) < 2*n || dialFailed == 0 {
		t.Fatalf("%d log lines captured, %d of a failed dial: the capture is not wired or the dials never failed", len(lines), dialFailed)
	}
	gwAttr := fmt.Sprintf("node=%d ", n-1)
	id := confined.ID()
	for _, l := range append(lines, userErrs...) {
		for _, a := range own {
			l = strings.ReplaceAll(l, a, "[own api]")
		}
		if leakPattern.MatchString(l) || portPattern.MatchString(l) {
			t.Errorf("address in %q", l)
		}
		if strings.Contains(l, gwAttr) && (strings.Contains(l, id.String()) || strings.Contains(l, id.ShortString())) {
			t.Errorf("gateway names the confined client: %q", l)
		}
	}
	t.Logf("%d log lines, %d user-facing errors scanned", len(lines), len(userErrs))
}

// transfer opens a 3-hop echo stream from n to gw and moves 64 KiB.
func transfer(ctx context.Context, n, gw *node.Node) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := n.DialService(ctx, node.Target{Peer: gw.ID(), Hops: 3}, overlay.EchoService)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	buf := bytes.Repeat([]byte("x"), 64<<10)
	go conn.Write(buf)
	_, err = conn.Read(buf)
	return err
}
