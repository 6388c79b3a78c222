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
// still uses the same rendezvous.
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
	tap.mu.Lock()
	est, r1 := len(tap.msgs[uint8(hs.CmdEstablishRendezvous)]), len(tap.msgs[uint8(hs.CmdRendezvous1)])
	tap.mu.Unlock()
	if est != 1 || r1 != 1 {
		t.Fatalf("%d fetches made %d rendezvous points and %d joins, want 1 each", fetches+2, est, r1)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
