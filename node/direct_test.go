package node

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cyclecash/node/service"
	"cyclecash/node/work"
)

// TestDirectStreams: the Host's direct dial reaches a gateway's work
// protocol over a real libp2p stream found through the directory, as a
// net.Conn whose addresses are opaque (the gateway never learns where an
// open worker is), and the gateway's refusal carries its wire code.
func TestDirectStreams(t *testing.T) {
	t.Parallel()
	gw := runNode(t, t.TempDir(), "relay", "gateway")
	peer := runPeer(t, gw)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for peer.Overlay().Directory().Len() < 1 && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := gw.host.DialDirect(ctx, service.Gateway, work.Protocol); err == nil {
		t.Fatal("a gateway dialled itself directly")
	}
	c, err := peer.host.DialDirect(ctx, service.Gateway, work.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, a := range []string{c.RemoteAddr().String(), c.LocalAddr().String()} {
		if strings.Contains(a, "127.0.0.1") || strings.Contains(a, "/ip4/") {
			t.Errorf("direct stream address %q names a network address", a)
		}
	}
	req, _ := http.NewRequest("POST", "http://gateway"+work.Prefix+"register", strings.NewReader("{"))
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if e := service.DecodeError(b); resp.StatusCode != 400 || work.Sentinel(e.Code) != work.ErrJob || e.Code == 0 {
		t.Fatalf("malformed register: %d %s", resp.StatusCode, b)
	}
	if _, err := peer.host.DialDirect(ctx, "role:market", work.Protocol); err == nil {
		t.Fatal("a direct dial reached a node without the role")
	}
}
