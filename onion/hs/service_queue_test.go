package hs

import (
	"testing"
	"time"
)

// During a flood an honest introduction may sit in the queue past the
// rendezvous point's wait. Answering it then builds a circuit to a cookie
// the point has dropped; the service skips it and answers fresh ones.
func TestNextDropsStaleIntroductions(t *testing.T) {
	svc, err := NewService(ServiceConfig{Identity: testIdentity(70), Rand: testRand(71)})
	if err != nil {
		t.Fatal(err)
	}
	svc.AddIntroPoint([]byte("r"))
	pubs, _ := svc.Descriptors(testNow)
	pub, _ := ParseAddress(svc.Address())
	d, err := Open(pubs[0].Value, pub, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	push := func(at time.Time, seed uint64, effort uint8) {
		req := IntroduceRequest{Service: pub, Intro: d.Intro[0], Period: d.Period, Time: at, RP: []byte("rp")}
		req.Cookie[0] = byte(seed)
		c, _ := NewClientIntro(req, testRand(seed))
		var sol PoWSolution
		if effort > 0 {
			ch, _ := c.Challenge(d.PoWSeed)
			sol, _ = ch.Solve(effort, testRand(seed+1), 0)
		}
		msg, _ := c.Introduce1(sol)
		if err := svc.Introduce2(msg, at); err != nil {
			t.Fatal(err)
		}
	}
	push(testNow, 72, 4) // old, but paid more
	later := testNow.Add(DefaultRendezvousWait + time.Second)
	push(later, 74, 0)
	in, ok := svc.Next(later)
	if !ok || in.Cookie[0] != 74 {
		t.Fatalf("answered %v (ok %v), want the fresh introduction", in.Cookie[0], ok)
	}
	if _, ok := svc.Next(later); ok || svc.Pending() != 0 {
		t.Fatal("stale introduction still answered")
	}
}
