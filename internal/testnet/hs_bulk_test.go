package testnet

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"cyclecash/node"
)

// TestHiddenServiceBulk: 1 MiB each way through one stream to a hidden
// service (an echo on a unix socket, `ports = ["7 unix:/PATH"]`) arrives
// intact. Before the rendezvous point marked its
// joined circuits (onion.Relay.JoinData), onion.MaxUnwindowedCells tore
// them down after 1024 hidden-service cells, about 470 KB each way.
func TestHiddenServiceBulk(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network")
	}
	sock := filepath.Join(t.TempDir(), "echo.sock")
	ln, err := net.Listen("unix", sock)
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
			c.HiddenServices = []node.HSServiceConfig{{Name: "echo", Ports: []string{"7 unix:" + sock}}}
			c.HSRepublishForTest = 2 * time.Second
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	svc := n.Nodes[6]
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	waitHSPublished(ctx, t, svc)
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
