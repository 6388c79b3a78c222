package hs

import (
	"errors"
	"testing"
	"time"
)

// A flooder solves one proof of work and spends it at every introduction
// point of the service: the same ephemeral key and nonce, a fresh Noise
// message to each point's NK key. Each point has its own replay cache
// entry, so only binding the proof to the auth key stops the reuse.
func TestPoWNotReusableAcrossIntroPoints(t *testing.T) {
	svc, err := NewService(ServiceConfig{Identity: testIdentity(60), Rand: testRand(61)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := svc.AddIntroPoint([]byte{'r', byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	pubs, _ := svc.Descriptors(testNow)
	pub, _ := ParseAddress(svc.Address())
	d, err := Open(pubs[0].Value, pub, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	client := func(ip IntroPoint, seed uint64) *ClientIntro {
		req := IntroduceRequest{Service: pub, Intro: ip, Period: d.Period, Time: testNow, RP: []byte("rp")}
		c, err := NewClientIntro(req, testRand(seed)) // the same seed, the same ephemeral key
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Effort 8, and a seed whose solution does not meet the second point's
	// challenge by chance (a 1/256 event), so the test does not depend on
	// which point the descriptor lists first.
	for seed := uint64(62); seed < 72; seed++ {
		a, b := client(d.Intro[0], seed), client(d.Intro[1], seed)
		chA, _ := a.Challenge(d.PoWSeed)
		chB, _ := b.Challenge(d.PoWSeed)
		sol, ok := chA.Solve(8, testRand(seed+100), 0)
		if !ok || (chA != chB && chB.Verify(sol)) {
			continue
		}
		msgA, _ := a.Introduce1(sol)
		if err := svc.Introduce2(msgA, testNow); err != nil {
			t.Fatal(err)
		}
		msgB, _ := b.Introduce1(sol)
		if err := svc.Introduce2(msgB, testNow); !errors.Is(err, ErrBadPoW) {
			t.Fatalf("one proof of work spent at a second introduction point: %v", err)
		}
		return
	}
	t.Fatal("no usable seed")
}

// A flooder solves one proof of work and, once the replay cache has let
// its handshake go (after the window), sends it again on a fresh INTRODUCE
// with the same ephemeral key and a current timestamp. While the service
// keeps its seed, the old solution would buy priority every hour forever:
// the proof is bound to the INTRODUCE's time, which the window bounds.
func TestPoWNotReusableAfterWindow(t *testing.T) {
	f := newIntroFixture(t)
	c, err := NewClientIntro(f.req, testRand(64))
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := c.Challenge(f.seed)
	sol, ok := ch.Solve(8, testRand(65), 0) // effort 8: a 1/256 chance the old nonce passes anew
	if !ok {
		t.Fatal("no solution")
	}
	msg, _ := c.Introduce1(sol)
	if _, err := f.svc.Open(msg, testNow); err != nil {
		t.Fatal(err)
	}
	later := testNow.Add(3 * time.Hour)
	f.req.Time = later
	again, _ := NewClientIntro(f.req, testRand(64)) // the same ephemeral key
	msg, _ = again.Introduce1(sol)
	if _, err := f.svc.Open(msg, later); !errors.Is(err, ErrBadPoW) {
		t.Fatalf("old solution on a fresh introduction: %v", err)
	}
}
