package hs

import (
	"errors"
	"testing"
)

func TestServiceFlow(t *testing.T) {
	svc, err := NewService(ServiceConfig{Identity: testIdentity(50), Rand: testRand(51), QueueMax: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range DefaultIntroPoints {
		if _, err := svc.AddIntroPoint([]byte{'r', byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	pubs, err := svc.Descriptors(testNow)
	if err != nil || len(pubs) != 2 || pubs[1].Period != pubs[0].Period.Next() {
		t.Fatalf("%d descriptors, %v", len(pubs), err)
	}
	pub, _ := ParseAddress(svc.Address())
	d, err := Open(pubs[0].Value, pub, testNow, 0)
	if err != nil || len(d.Intro) != DefaultIntroPoints {
		t.Fatalf("open: %v", err)
	}
	o, _ := VerifyOuter(pubs[0].Value)
	if !o.StoredAt(pubs[0].Indices[1]) {
		t.Fatal("published under foreign indices")
	}
	// A later republish has a higher revision, even with the clock stuck.
	again, _ := svc.Descriptors(testNow)
	o2, _ := VerifyOuter(again[0].Value)
	if CheckRevision(o, o2) != nil {
		t.Fatal("republish did not raise the revision")
	}

	c, err := NewClientIntro(IntroduceRequest{Service: pub, Intro: d.Intro[1], Period: d.Period, Time: testNow, RP: []byte("rp")}, testRand(52))
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := c.Challenge(d.PoWSeed)
	sol, _ := ch.Solve(1, testRand(53), 0)
	msg, _ := c.Introduce1(sol)
	if err := svc.Introduce2(msg, testNow); err != nil {
		t.Fatal(err)
	}
	if err := svc.Introduce2(msg, testNow); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay: %v", err)
	}
	in, ok := svc.Next(testNow)
	if !ok || in.Effort != 1 {
		t.Fatal("queued introduction missing")
	}
	r1, _, _ := in.Rendezvous1()
	if _, err := c.Rendezvous2(r1[CookieSize:]); err != nil {
		t.Fatal(err)
	}
}

// After a seed rotation the previous seed still counts (clients with the
// last descriptor); two rotations later it does not.
func TestServiceSeedRotation(t *testing.T) {
	svc, _ := NewService(ServiceConfig{Identity: testIdentity(50), Rand: testRand(54)})
	svc.AddIntroPoint([]byte("r"))
	pubs, _ := svc.Descriptors(testNow)
	pub := testIdentity(50).Public()
	d, _ := Open(pubs[0].Value, pub, testNow, 0)
	intro := func(seed uint64) []byte {
		c, _ := NewClientIntro(IntroduceRequest{Service: pub, Intro: d.Intro[0], Period: d.Period, Time: testNow, RP: []byte("rp")}, testRand(seed))
		ch, _ := c.Challenge(d.PoWSeed)
		sol, _ := ch.Solve(1, testRand(seed), 0)
		m, _ := c.Introduce1(sol)
		return m
	}
	svc.RotateSeed()
	if err := svc.Introduce2(intro(60), testNow); err != nil {
		t.Fatalf("previous seed: %v", err)
	}
	svc.RotateSeed()
	if err := svc.Introduce2(intro(61), testNow); !errors.Is(err, ErrBadPoW) {
		t.Fatalf("seed two rotations old: %v", err)
	}
	if _, changed := svc.Tick(); changed {
		t.Fatal("effort changed without load")
	}
}
