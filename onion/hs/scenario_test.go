package hs

import (
	"bytes"
	"testing"
	"time"
)

// TestScenarioMeshVisit plays a whole visit with every party's sans-IO
// state, the way the network side will drive it: the service publishes,
// the client fetches and opens the descriptor by address, introduces itself
// through the intro point's table, the service answers at the rendezvous
// point's table, and a page crosses the joined circuits. The rendezvous
// point logs every byte it forwards: the page is absent from the log.
func TestScenarioMeshVisit(t *testing.T) {
	now := testNow
	id := testIdentity(42)
	keys, _ := NewIntroKeys(testRand(43))
	address := id.Public().Address()

	// Service: establish the intro circuit, publish the descriptor.
	intro := NewIntroTable[string](IntroLimits{})
	if err := intro.Establish(NewEstablishIntro(keys, []byte("svc-intro-hop"), 0, 0), []byte("svc-intro-hop"), "svc-intro-circ", now); err != nil {
		t.Fatal(err)
	}
	var seed [32]byte
	seed[0] = 1
	d := &Descriptor{Period: PeriodAt(now, 0), Revision: 1, Expiry: now.Add(3 * time.Hour),
		Intro: []IntroPoint{keys.Point([]byte("intro-relay-id"))}, PoWEffort: 2, PoWSeed: seed}
	stored, err := d.Seal(id, testRand(44))
	if err != nil {
		t.Fatal(err)
	}
	dhtKey := Indices(d.Blinded, d.Period)[0]

	// Client: knows only the address; computes the index and opens.
	pub, err := ParseAddress(address)
	if err != nil {
		t.Fatal(err)
	}
	blinded, _ := pub.Blind(FetchPeriods(now, 0)[0])
	if IndexOf(blinded, d.Period, 0) != dhtKey {
		t.Fatal("client computes another index")
	}
	got, err := Open(stored, pub, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	rend := NewRendezvousTable[string](0, 0)
	var cookie Cookie
	cookie[3] = 9
	if err := rend.Establish(EstablishRendezvous(cookie), "client-rend-circ", now); err != nil {
		t.Fatal(err)
	}
	c, err := NewClientIntro(IntroduceRequest{Service: pub, Intro: got.Intro[0], Period: got.Period, Time: now,
		Cookie: cookie, RP: []byte("rp-relay-id")}, testRand(45))
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := c.Challenge(got.PoWSeed)
	sol, _ := ch.Solve(got.PoWEffort, testRand(46), 0)
	intro1, _ := c.Introduce1(sol)

	// Intro point routes it; service opens and answers.
	circ, ack := intro.Introduce1(intro1, now)
	if ack != AckOK || circ != "svc-intro-circ" {
		t.Fatalf("intro point: ack %d to %q", ack, circ)
	}
	svc := &ServiceIntro{Service: id.Public(), Keys: keys, Replay: NewReplayCache(0, 0, 0), Rand: testRand(47),
		Seeds: func(h [4]byte) ([32]byte, bool) { return seed, h == [4]byte(seed[:4]) }}
	in, err := svc.Open(intro1, now)
	if err != nil {
		t.Fatal(err)
	}
	r1, svcE2E, _ := in.Rendezvous1()

	// Rendezvous point joins; from here it forwards and logs.
	clientCirc, r2, err := rend.Rendezvous1(r1, now)
	if err != nil || clientCirc != "client-rend-circ" {
		t.Fatalf("join: %v", err)
	}
	cliE2E, err := c.Rendezvous2(r2)
	if err != nil {
		t.Fatal(err)
	}
	var rpLog bytes.Buffer
	forward := func(cell []byte) []byte { rpLog.Write(cell); return bytes.Clone(cell) }
	req, _ := cliE2E.Seal(InnerMsg{Cmd: 1, StreamID: 1, Data: []byte("GET /secret-listing HTTP/1.1")})
	m, err := svcE2E.Open(forward(req))
	if err != nil || string(m.Data) != "GET /secret-listing HTTP/1.1" {
		t.Fatalf("request: %v", err)
	}
	page, _ := svcE2E.Seal(InnerMsg{Cmd: 3, StreamID: 1, Data: []byte("<h1>company B market</h1>")})
	m, err = cliE2E.Open(forward(page))
	if err != nil || string(m.Data) != "<h1>company B market</h1>" {
		t.Fatalf("page: %v", err)
	}
	for _, secret := range []string{"secret-listing", "company B", "GET /"} {
		if bytes.Contains(rpLog.Bytes(), []byte(secret)) {
			t.Fatalf("rendezvous point log holds %q", secret)
		}
	}
	if bytes.Contains(stored, []byte("intro-relay-id")) {
		t.Fatal("the directory's copy names the intro point")
	}
}
