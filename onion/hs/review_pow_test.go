package hs

import (
	"errors"
	"testing"
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
