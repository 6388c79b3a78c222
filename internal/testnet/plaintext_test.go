package testnet

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/node"
	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// cellScanner looks for needles in every cell the nodes it is installed on
// read from their links (the cells they forward or end), in the byte forms
// a payload could travel in: raw, hex, and base64 at each alignment (JSON
// carries bytes as base64).
type cellScanner struct {
	mu      sync.Mutex
	needles map[string][][]byte // name -> forms
	found   map[string]int
	cells   int
}

func newCellScanner() *cellScanner {
	return &cellScanner{needles: map[string][][]byte{}, found: map[string]int{}}
}

// add registers b (at least 24 bytes) under name; a window of 16 bytes in
// any form is enough to count as found.
func (s *cellScanner) add(name string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	forms := [][]byte{b[:16], []byte(hex.EncodeToString(b[:16]))}
	for k := range 3 {
		enc := base64.StdEncoding.EncodeToString(b[k:])
		forms = append(forms, []byte(enc[4:20]))
	}
	s.needles[name] = append(s.needles[name], forms...)
}

func (s *cellScanner) scan(_ peer.ID, c *onion.Cell) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cells++
	for name, forms := range s.needles {
		for _, f := range forms {
			if bytes.Contains(c[:], f) {
				s.found[name]++
			}
		}
	}
}

// markedModule is a minimal WASI module (an empty _start) whose data
// segment holds marker, so the module's bytes are recognisable anywhere.
func markedModule(marker []byte) []byte {
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 4, 1, 0x60, 0, 0, // type: () -> ()
		3, 2, 1, 0, // function 0 of type 0
		5, 3, 1, 0, 1, // one page of memory
		7, 10, 1, 6, '_', 's', 't', 'a', 'r', 't', 0, 0, // export _start
		10, 4, 1, 2, 0, 0x0b, // body: end
		11, byte(6 + len(marker)), 1, 0, 0x41, 0, 0x0b, byte(len(marker))}
	return append(m, marker...)
}

// TestRelaysSeeNoPayload: every node of a network scans every cell it
// reads for the job's module, its inputs and the buyer's payment token
// (each proof's secret and signature) while a buyer submits a paid job
// through its circuits and two stealth workers fetch and run its tasks
// through theirs. None of it appears in any cell: the payload is end to
// end encrypted between buyer or worker and gateway. The scanner itself
// is checked first on cells that do carry each form.
func TestRelaysSeeNoPayload(t *testing.T) {
	t.Parallel()
	const relays = 5
	net, err := Start(t.TempDir(), Options{N: relays + 2, Configure: func(i int, c *node.Config) {
		if i == relays {
			gatewayConfig(c)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := net.WaitDirectory(ctx, relays+1); err != nil {
		t.Fatal(err)
	}
	gw, buyer := net.Nodes[relays], net.Nodes[relays+1].Client()
	scan := newCellScanner()
	for _, n := range net.Nodes {
		n.Onion().SetTamperHook(scan.scan)
	}

	marker := make([]byte, 48)
	rand.Read(marker)
	checkScanner(t, marker)
	scan.add("module", marker)
	pay := buyTokens(t, gw, 16)
	tok, err := ledger.DecodeToken(pay)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range tok.Proofs {
		scan.add(fmt.Sprint("token secret ", i), []byte(p.Secret))
		scan.add(fmt.Sprint("token signature ", i), p.C[:])
	}
	req := &node.JobRequest{Module: markedModule(marker), UnitsPerTask: 2, TaskTimeoutMS: 20_000, Tokens: []string{pay}}
	for i := range 2 {
		in := make([]byte, 32)
		rand.Read(in)
		input := fmt.Appendf(nil, "input %d %x", i, in)
		scan.add(fmt.Sprint("input ", i), input[8:])
		req.Inputs = append(req.Inputs, input)
	}
	id, err := buyer.SubmitJob(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := net.Add(i, workerConfig(node.WorkerStealth)); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range net.Nodes[relays+2:] {
		n.Onion().SetTamperHook(scan.scan)
	}
	res := waitJob(ctx, t, buyer, id)
	if res.Accepted == 0 {
		t.Fatalf("job %s: no task accepted, so no worker fetched the module", res.State)
	}

	scan.mu.Lock()
	defer scan.mu.Unlock()
	if scan.cells < 100 {
		t.Fatalf("scanner saw only %d cells", scan.cells)
	}
	for name, n := range scan.found {
		t.Errorf("%s found in %d cells", name, n)
	}
}

// checkScanner: a cell holding the needle raw, in hex or in base64 at any
// alignment (inside JSON) is found.
func checkScanner(t *testing.T, b []byte) {
	t.Helper()
	forms := []string{string(b), hex.EncodeToString(b)}
	for k := range 3 {
		forms = append(forms, `{"module":"`+base64.StdEncoding.EncodeToString(append(make([]byte, k), b...))+`"}`)
	}
	for i, f := range forms {
		s := newCellScanner()
		s.add("x", b)
		var c onion.Cell
		copy(c[7:], f)
		s.scan("", &c)
		if s.found["x"] == 0 {
			t.Fatalf("scanner misses form %d", i)
		}
	}
}
