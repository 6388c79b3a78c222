package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
)

// meshNodes starts n relay nodes in this process on loopback (as
// internal/testnet does; cmd may not import it), node 0 the bootstrap,
// each configured last by configure.
func meshNodes(t *testing.T, n int, configure func(i int, c *node.Config)) []*node.Node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var nodes []*node.Node
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		for _, nd := range nodes {
			nd.Close()
		}
	})
	base := t.TempDir()
	var boot []string
	for i := range n {
		c := node.Config{DataDir: filepath.Join(base, fmt.Sprint(i)), Listen: []string{"/ip4/127.0.0.1/tcp/0"},
			Bootstrap: boot, API: "127.0.0.1:0", MemoryMB: 64, MaxConns: 96, Bandwidth: 1 << 20,
			DescriptorLifetime: time.Hour, RepublishEvery: 20 * time.Minute, GatherEvery: 3 * time.Second,
			RefreshEvery: 10 * time.Second, LoopbackDistinct: true}
		configure(i, &c)
		nd, err := node.New(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, nd)
		wg.Add(1)
		go func() { defer wg.Done(); nd.Run(ctx) }()
		if i == 0 {
			boot = nd.P2PAddrs()
		}
	}
	return nodes
}

// TestHSConnectMesh: `hs connect` through a real node's SOCKS5 proxy on
// an 8-node mesh reaches a hidden service on another node: stdin in,
// the service's answer out.
func TestHSConnectMesh(t *testing.T) {
	if testing.Short() {
		t.Skip("8-node mesh")
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
			go func() {
				b, _ := io.ReadAll(c)
				io.WriteString(c, "mesh got: "+string(b))
				c.Close()
			}()
		}
	}()
	nodes := meshNodes(t, 8, func(i int, c *node.Config) {
		switch i {
		case 6:
			c.HiddenServices = []node.HSServiceConfig{{Name: "echo", Ports: []string{"7 " + ln.Addr().String()}}}
			c.HSRepublishForTest = 2 * time.Second
		case 7:
			c.Socks = "127.0.0.1:0"
		}
	})
	svc, client := nodes[6], nodes[7]
	deadline := time.Now().Add(90 * time.Second)
	for st := svc.HiddenServices(); st[0].Published == 0 || st[0].IntroPoints < node.HSDefaultIntroPoints; st = svc.HiddenServices() {
		if time.Now().After(deadline) {
			t.Fatalf("service never published: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	dir := t.TempDir()
	toml := "socks = \"" + client.SocksAddr().String() + "\"\n"
	if err := os.WriteFile(filepath.Join(dir, "node.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runHSConnect(t, "over the mesh", "--data", dir, svc.HiddenServices()[0].Address+":7")
	if code != 0 || out != "mesh got: over the mesh" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
