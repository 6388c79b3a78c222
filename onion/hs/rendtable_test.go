package hs

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// Clients fill a rendezvous point's table and then keep sending
// ESTABLISH_RENDEZVOUS and RENDEZVOUS1 cells: each must cost the relay a
// bounded amount of work, not a scan of every waiting cookie.
func TestRendezvousExpireNotLinear(t *testing.T) {
	const n = 1000
	tab := NewRendezvousTable[int](time.Minute, n)
	cookie := func(i int) Cookie {
		var c Cookie
		binary.BigEndian.PutUint32(c[:], uint32(i))
		return c
	}
	r1 := func(i int) []byte {
		c := cookie(i)
		return append(c[:], make([]byte, Rendezvous2Size)...)
	}
	for i := range n {
		if err := tab.Establish(EstablishRendezvous(cookie(i)), i, testNow); err != nil {
			t.Fatal(err)
		}
	}
	tab.scanned = 0
	for i := range n {
		if err := tab.Establish(EstablishRendezvous(cookie(n+i)), n+i, testNow); !errors.Is(err, ErrTableFull) {
			t.Fatal(err)
		}
		if _, _, err := tab.Rendezvous1(r1(2*n+i), testNow); !errors.Is(err, ErrUnknownCookie) {
			t.Fatal(err)
		}
	}
	if tab.scanned > 2*n {
		t.Fatalf("%d table entries scanned for %d cells", tab.scanned, 2*n)
	}
	// Expiry still frees every slot once the wait is over, also after
	// cookies were joined or their circuits closed.
	tab.Remove(0)
	tab.Rendezvous1(r1(1), testNow)
	later := testNow.Add(2 * time.Minute)
	for i := range n {
		if err := tab.Establish(EstablishRendezvous(cookie(3*n+i)), 3*n+i, later); err != nil {
			t.Fatalf("after expiry, %d: %v", i, err)
		}
	}
	if tab.Waiting(5) || !tab.Waiting(3*n) {
		t.Fatal("expired cookie still waiting")
	}
}

// A cookie joined and then established again (by a new client circuit)
// keeps its own full wait: the first establishment's expiry must not cut
// the second short.
func TestRendezvousReusedCookieKeepsItsWait(t *testing.T) {
	tab := NewRendezvousTable[int](time.Minute, 0)
	var c, other Cookie
	other[0] = 1
	tab.Establish(EstablishRendezvous(c), 1, testNow)
	if _, _, err := tab.Rendezvous1(append(c[:], make([]byte, Rendezvous2Size)...), testNow); err != nil {
		t.Fatal(err)
	}
	if err := tab.Establish(EstablishRendezvous(c), 2, testNow.Add(50*time.Second)); err != nil {
		t.Fatal(err)
	}
	tab.Establish(EstablishRendezvous(other), 3, testNow.Add(70*time.Second))
	if !tab.Waiting(2) {
		t.Fatal("the second establishment expired with the first")
	}
}
