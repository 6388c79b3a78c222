package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cyclecash/node"
)

// startMesh runs n in-process nodes on loopback, the last a gateway, and
// waits until node 0 knows every other node.
func startMesh(t *testing.T, n int) []*node.Node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var nodes []*node.Node
	var boot []string
	for i := range n {
		cfg := node.Config{
			DataDir: filepath.Join(t.TempDir(), fmt.Sprint(i)), Listen: []string{"/ip4/127.0.0.1/tcp/0"},
			Bootstrap: boot, API: "127.0.0.1:0", MemoryMB: 64, MaxConns: 64, LoopbackDistinct: true,
			GatherEvery: time.Second, RefreshEvery: 5 * time.Second,
		}
		if i == n-1 {
			cfg.Roles = []string{"relay", "gateway"}
		}
		nd, err := node.New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			boot = nd.P2PAddrs()[:1]
		}
		nodes = append(nodes, nd)
		done := make(chan struct{})
		go func() { nd.Run(ctx); close(done) }()
		t.Cleanup(func() { <-done; nd.Close() })
	}
	t.Cleanup(cancel)
	for deadline := time.Now().Add(40 * time.Second); nodes[0].Overlay().Directory().Len() < n-1; {
		if time.Now().After(deadline) {
			t.Fatal("directory never filled")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nodes
}

// TestProbeCLI: `cyclecash probe` against a running node builds circuits to
// the gateway and reports build time, RTT and throughput, and status then
// counts no leftover circuit.
func TestProbeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 6-node mesh")
	}
	t.Parallel()
	nodes := startMesh(t, 6)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb strings.Builder
	args := []string{"probe", "--data", nodes[0].DataDir(), "--to", "role:gateway", "--count", "2", "--size", "262144", "--json"}
	if code := Main(ctx, args, &out, &errb); code != 0 {
		t.Fatalf("probe exited %d: %s", code, errb.String())
	}
	var res []node.ProbeResult
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("%d results, want 2", len(res))
	}
	for _, r := range res {
		if r.Error != "" || r.Hops != 4 || r.BuildMS <= 0 || r.RTTMS <= 0 || r.MiBPerSecond <= 0 || r.OneWay <= 0 || r.Destination != nodes[5].ID().String() {
			t.Fatalf("bad probe result %+v", r)
		}
	}
	out.Reset()
	args = []string{"probe", "--data", nodes[0].DataDir(), "--to", nodes[5].ID().String(), "--hops", "1", "--size", "1000"}
	if code := Main(ctx, args, &out, &errb); code != 0 || !strings.Contains(out.String(), "build_ms") {
		t.Fatalf("text probe exited %d: %s%s", code, out.String(), errb.String())
	}
	t.Logf("\n%s", out.String())
	// No market runs: every circuit fails, and --json exits 1 like the
	// table does, after printing the failures.
	out.Reset()
	errb.Reset()
	args = []string{"probe", "--json", "--to", "role:market", "--data", nodes[0].DataDir()}
	if code := Main(ctx, args, &out, &errb); code != 1 || !strings.Contains(errb.String(), "cyclecash: probe: 1 of 1 circuits failed") {
		t.Fatalf("probe --json to no market: exit %d, stderr %q", code, errb.String())
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || len(res) != 1 || res[0].Error == "" {
		t.Fatalf("probe --json to no market printed %q (%v)", out.String(), err)
	}
	if st := statusJSON(t, ctx, nodes[0].DataDir()); len(st.Circuits) != 0 {
		t.Fatalf("status shows %d circuits after the probes closed theirs", len(st.Circuits))
	}
}
