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
	intro := func(ip IntroPoint, sol *PoWSolution) []byte {
		req := IntroduceRequest{Service: pub, Intro: ip, Period: d.Period, Time: testNow, RP: []byte("rp")}
		c, err := NewClientIntro(req, testRand(62)) // the same ephemeral key each time
		if err != nil {
			t.Fatal(err)
		}
		if sol.Effort == 0 {
			ch, _ := c.Challenge(d.PoWSeed)
			*sol, _ = ch.Solve(2, testRand(63), 0)
		}
		msg, _ := c.Introduce1(*sol)
		return msg
	}
	var sol PoWSolution
	if err := svc.Introduce2(intro(d.Intro[0], &sol), testNow); err != nil {
		t.Fatal(err)
	}
	if err := svc.Introduce2(intro(d.Intro[1], &sol), testNow); !errors.Is(err, ErrBadPoW) {
		t.Fatalf("one proof of work spent at a second introduction point: %v", err)
	}
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
