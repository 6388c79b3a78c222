package testnet

import (
	"strings"
	"sync"
	"testing"

	"cyclecash/onion/hs"
)

// TestHiddenServiceStreamsShareRendezvous: 6 concurrent page fetches
// through the SOCKS5 proxy to one .mesh address ride one rendezvous (one
// ESTABLISH_RENDEZVOUS, one RENDEZVOUS1 anywhere in the network, each
// fetch its own stream) and all get the page; then a dial to a port the
// service does not map is refused on that session and a fetch after it
// still uses the same rendezvous. Another isolation group gets its own
// rendezvous but reuses the descriptor.
func TestHiddenServiceStreamsShareRendezvous(t *testing.T) {
	n, svc, client := hsNet(t)
	tap := tapAll(n)
	addr, proxy := svc.HiddenServices()[0].Address, client.SocksAddr().String()
	const fetches = 6
	var wg sync.WaitGroup
	errs := make(chan error, fetches)
	for range fetches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, err := getThroughSocks(proxy, addr)
			if err == nil && !strings.HasPrefix(body, hsSecretPage) {
				err = errString("wrong page")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, code, err := socks5Dial(proxy, addr, 8080); err != nil || code != 5 {
		t.Fatalf("unmapped port: reply %d, %v; want 5", code, err)
	}
	if body, err := getThroughSocks(proxy, addr); err != nil || !strings.HasPrefix(body, hsSecretPage) {
		t.Fatalf("fetch after a refused sibling: %v", err)
	}
	if est, r1 := tap.rendezvous(); est != 1 || r1 != 1 {
		t.Fatalf("%d fetches made %d rendezvous points and %d joins, want 1 each", fetches+2, est, r1)
	}
	// Another isolation group (SOCKS username) gets its own rendezvous,
	// from the descriptor already held: no directory fetch.
	gets := dirGets(n)
	if body, err := getThroughSocksAs(proxy, "alice", addr); err != nil || !strings.HasPrefix(body, hsSecretPage) {
		t.Fatalf("fetch as alice: %v", err)
	}
	if est, r1 := tap.rendezvous(); est != 2 || r1 != 2 {
		t.Fatalf("a second isolation group: %d rendezvous points and %d joins in all, want 2 each", est, r1)
	}
	if g := dirGets(n); g != gets {
		t.Fatalf("the second session fetched the descriptor again: %d directory gets, then %d", gets, g)
	}
}

// rendezvous counts ESTABLISH_RENDEZVOUS and RENDEZVOUS1 messages seen.
func (tp *hsTap) rendezvous() (est, r1 int) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return len(tp.msgs[uint8(hs.CmdEstablishRendezvous)]), len(tp.msgs[uint8(hs.CmdRendezvous1)])
}

// dirGets sums the descriptor fetches every relay's directory front served.
func dirGets(n *Net) uint64 {
	var gets uint64
	for _, nd := range n.Nodes {
		_, g := nd.Overlay().HSDirServed()
		gets += g
	}
	return gets
}

type errString string

func (e errString) Error() string { return string(e) }
