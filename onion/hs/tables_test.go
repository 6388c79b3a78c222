package hs

import (
	"errors"
	"testing"
	"time"
)

func TestIntroTableRoutesAndRateLimits(t *testing.T) {
	f := newIntroFixture(t)
	tab := NewIntroTable[int](IntroLimits{})
	if err := tab.Establish(NewEstablishIntro(f.keys, []byte("b1"), 2, 3), []byte("b1"), 1, testNow); err != nil {
		t.Fatal(err)
	}
	_, msg := f.introduce(t, 70, 0)
	// A flood from one client circuit: the burst passes, then the bucket
	// refuses until it refills at the service's rate.
	for i := range 3 {
		if c, ack := tab.Introduce1(msg, testNow); ack != AckOK || c != 1 {
			t.Fatalf("introduce %d: ack %d circ %d", i, ack, c)
		}
	}
	if _, ack := tab.Introduce1(msg, testNow); ack != AckRateLimited {
		t.Fatalf("over the burst: ack %d", ack)
	}
	if _, ack := tab.Introduce1(msg, testNow.Add(time.Second)); ack != AckOK {
		t.Fatalf("after refill: ack %d", ack)
	}
	other := append([]byte{}, msg...)
	other[0] ^= 1
	if _, ack := tab.Introduce1(other, testNow); ack != AckUnknownKey {
		t.Fatalf("unknown key: ack %d", ack)
	}
	if _, ack := tab.Introduce1(msg[:10], testNow); ack != AckBadFormat {
		t.Fatalf("short: ack %d", ack)
	}
	tab.Remove(1)
	if _, ack := tab.Introduce1(msg, testNow.Add(time.Hour)); ack != AckUnknownKey || tab.Len() != 0 {
		t.Fatalf("after remove: ack %d", ack)
	}
}

// An attacker who captured a service's ESTABLISH_INTRO replays it on its
// own circuit to receive the service's introductions.
func TestIntroTableStolenEstablishRefused(t *testing.T) {
	f := newIntroFixture(t)
	tab := NewIntroTable[int](IntroLimits{})
	est := NewEstablishIntro(f.keys, []byte("service circuit"), 0, 0)
	if err := tab.Establish(est, []byte("service circuit"), 1, testNow); err != nil {
		t.Fatal(err)
	}
	if err := tab.Establish(est, []byte("attacker circuit"), 2, testNow); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("replayed establish: %v", err)
	}
	_, msg := f.introduce(t, 71, 0)
	if c, ack := tab.Introduce1(msg, testNow); ack != AckOK || c != 1 {
		t.Fatalf("routed to %d (ack %d)", c, ack)
	}
	// The service itself rebuilds: the new circuit replaces the old.
	if err := tab.Establish(NewEstablishIntro(f.keys, []byte("new"), 0, 0), []byte("new"), 3, testNow); err != nil {
		t.Fatal(err)
	}
	if c, _ := tab.Introduce1(msg, testNow); c != 3 || tab.Len() != 1 {
		t.Fatalf("routed to %d after rebuild", c)
	}
}

func TestIntroTableFull(t *testing.T) {
	tab := NewIntroTable[int](IntroLimits{MaxCircuits: 1})
	for i := range 2 {
		k, _ := NewIntroKeys(testRand(uint64(80 + i)))
		err := tab.Establish(NewEstablishIntro(k, nil, 0, 0), nil, i, testNow)
		if (i == 1) != errors.Is(err, ErrTableFull) {
			t.Fatalf("establish %d: %v", i, err)
		}
	}
}

func TestRendezvousTableJoinOnce(t *testing.T) {
	tab := NewRendezvousTable[string](time.Minute, 0)
	var cookie Cookie
	cookie[0] = 7
	if err := tab.Establish(EstablishRendezvous(cookie), "client", testNow); err != nil {
		t.Fatal(err)
	}
	// Someone who learnt the cookie tries to take the client's place.
	if err := tab.Establish(EstablishRendezvous(cookie), "thief", testNow); !errors.Is(err, ErrCookieInUse) {
		t.Fatalf("second establish: %v", err)
	}
	r1 := append(cookie[:], make([]byte, Rendezvous2Size)...)
	got, r2, err := tab.Rendezvous1(r1, testNow)
	if err != nil || got != "client" || len(r2) != Rendezvous2Size {
		t.Fatalf("join: %q %v", got, err)
	}
	// A replayed RENDEZVOUS1 joins nothing.
	if _, _, err := tab.Rendezvous1(r1, testNow); !errors.Is(err, ErrUnknownCookie) {
		t.Fatalf("replayed rendezvous1: %v", err)
	}
}

func TestRendezvousTableExpiry(t *testing.T) {
	tab := NewRendezvousTable[int](time.Minute, 1)
	var c1, c2 Cookie
	c2[0] = 1
	tab.Establish(EstablishRendezvous(c1), 1, testNow)
	if err := tab.Establish(EstablishRendezvous(c2), 2, testNow); !errors.Is(err, ErrTableFull) {
		t.Fatalf("over the bound: %v", err)
	}
	later := testNow.Add(2 * time.Minute)
	if err := tab.Establish(EstablishRendezvous(c2), 2, later); err != nil || tab.Waiting(1) {
		t.Fatalf("after expiry: %v, 1 waiting %v", err, tab.Waiting(1))
	}
	if err := tab.Establish(EstablishRendezvous(c1), 2, later); !errors.Is(err, ErrCircuitUsed) {
		t.Fatalf("one circuit, two cookies: %v", err)
	}
	tab.Remove(2)
	if tab.Waiting(2) {
		t.Fatal("remove")
	}
}
