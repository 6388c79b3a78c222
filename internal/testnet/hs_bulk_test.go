package testnet

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"cyclecash/node"
)

// TestHiddenServiceBulk: 1 MiB each way through one stream to a hidden
// service (an echo) arrives intact. It fails on main as of 2026-12-02:
// onion.MaxUnwindowedCells (onion/relay_extend.go) closes any circuit
// after 1024 hidden-service cells, so the rendezvous point tears the
// joined circuits down after about 470 KB each way. The fix belongs in
// onion (E2E cells at a joined rendezvous point are data, to be counted
// by a window, not capped for life); until it lands the test runs only
// with CYCLECASH_HS_BULK=1.
func TestHiddenServiceBulk(t *testing.T) {
	if os.Getenv("CYCLECASH_HS_BULK") == "" {
		t.Skip("onion.MaxUnwindowedCells caps a rendezvous circuit at 1024 cells; set CYCLECASH_HS_BULK=1 to run")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	n, err := Start(t.TempDir(), Options{N: 8, Configure: func(i int, c *node.Config) {
		if i == 6 {
			c.HiddenServices = []node.HSServiceConfig{{Name: "echo", Ports: []string{"7 " + ln.Addr().String()}}}
			c.HSRepublishForTest = 2 * time.Second
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	svc := n.Nodes[6]
	deadline := time.Now().Add(90 * time.Second)
	for st := svc.HiddenServices(); st[0].Published == 0 || st[0].IntroPoints < node.HSDefaultIntroPoints; st = svc.HiddenServices() {
		if time.Now().After(deadline) {
			t.Fatal("service never published")
		}
		time.Sleep(100 * time.Millisecond)
	}
	c, err := n.Nodes[7].DialMesh(t.Context(), svc.HiddenServices()[0].Address, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, 1<<20)
	rand.Read(data)
	go c.Write(data)
	got := make([]byte, len(data))
	if k, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("echoed %d of %d bytes: %v", k, len(data), err)
	}
}
