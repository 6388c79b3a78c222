package hs

import (
	"testing"
)

// A flooder sends cheap INTRODUCE1s to an introduction point faster than
// the point's default rate. The point cannot check proofs of work (they are
// encrypted to the service), so with the default bucket an honest client
// that paid is refused there (AckRateLimited) before the service's queue
// could rank it. The service therefore asks its points for their caps: the
// queue is its defence, the point's bucket only guards the relay.
func TestIntroPointFloodLeavesRoomForPoW(t *testing.T) {
	svc, err := NewService(ServiceConfig{Identity: testIdentity(75), Rand: testRand(76)})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := svc.AddIntroPoint([]byte("intro"))
	tab := NewIntroTable[int](IntroLimits{})
	bind := []byte("service circuit")
	if err := tab.Establish(svc.EstablishIntro(keys, bind), bind, 1, testNow); err != nil {
		t.Fatal(err)
	}
	pubs, _ := svc.Descriptors(testNow)
	pub, _ := ParseAddress(svc.Address())
	d, err := Open(pubs[0].Value, pub, testNow, 0)
	if err != nil {
		t.Fatal(err)
	}
	req := IntroduceRequest{Service: pub, Intro: d.Intro[0], Period: d.Period, Time: testNow, RP: []byte("rp")}
	flood, _ := NewClientIntro(req, testRand(77))
	junk, _ := flood.Introduce1(PoWSolution{})
	for range 1000 { // within one instant: far above the default burst of 200
		tab.Introduce1(junk, testNow)
	}
	honest, _ := NewClientIntro(req, testRand(78))
	ch, _ := honest.Challenge(d.PoWSeed)
	sol, _ := ch.Solve(2, testRand(79), 0)
	msg, _ := honest.Introduce1(sol)
	if _, ack := tab.Introduce1(msg, testNow); ack != AckOK {
		t.Fatalf("honest introduction refused at the point: ack %d", ack)
	}
}
