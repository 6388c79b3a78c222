package hs

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

type introFixture struct {
	id   *IdentityKey
	keys *IntroKeys
	svc  *ServiceIntro
	seed [32]byte
	req  IntroduceRequest
}

func newIntroFixture(t testing.TB) *introFixture {
	t.Helper()
	f := &introFixture{id: testIdentity(7)}
	keys, err := NewIntroKeys(testRand(2))
	if err != nil {
		t.Fatal(err)
	}
	f.keys = keys
	f.seed[0], f.seed[1] = 0xAB, 0xCD
	f.svc = &ServiceIntro{
		Service: f.id.Public(), Keys: keys, Replay: NewReplayCache(0, 0, 0), Rand: testRand(3),
		Seeds: func(h [4]byte) ([32]byte, bool) { return f.seed, h == [4]byte(f.seed[:4]) },
	}
	f.req = IntroduceRequest{
		Service: f.id.Public(), Intro: keys.Point([]byte("intro-relay")), Period: PeriodAt(testNow, 0),
		Time: testNow, RP: bytes.Repeat([]byte{'R'}, 38),
	}
	f.req.Cookie[0], f.req.RPOnionKey[0] = 1, 2
	return f
}

func (f *introFixture) introduce(t testing.TB, seed uint64, effort uint8) (*ClientIntro, []byte) {
	t.Helper()
	c, err := NewClientIntro(f.req, testRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	var sol PoWSolution
	if effort > 0 {
		ch, err := c.Challenge(f.seed)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		if sol, ok = ch.Solve(effort, testRand(seed+100), 0); !ok {
			t.Fatal("no solution")
		}
	}
	msg, err := c.Introduce1(sol)
	if err != nil {
		t.Fatal(err)
	}
	return c, msg
}

func TestIntroduceRendezvousEndToEnd(t *testing.T) {
	f := newIntroFixture(t)
	c, msg := f.introduce(t, 10, 3)
	if len(msg) != Introduce1Size || len(msg) > MaxMessage {
		t.Fatalf("introduce1 of %d bytes", len(msg))
	}
	in, err := f.svc.Open(msg, testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if in.Cookie != f.req.Cookie || !bytes.Equal(in.RP, f.req.RP) || in.RPOnionKey != f.req.RPOnionKey || in.Effort != 3 {
		t.Fatalf("introduction %+v", in)
	}
	r1, svcE2E, err := in.Rendezvous1()
	if err != nil {
		t.Fatal(err)
	}
	cookie, r2, err := ParseRendezvous1(r1)
	if err != nil || cookie != f.req.Cookie {
		t.Fatalf("rendezvous1: %v", err)
	}
	cliE2E, err := c.Rendezvous2(r2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		cell, _ := cliE2E.Seal(InnerMsg{Cmd: 3, StreamID: 1, Data: []byte("GET / HTTP/1.1")})
		got, err := svcE2E.Open(cell)
		if err != nil || string(got.Data) != "GET / HTTP/1.1" || got.StreamID != 1 {
			t.Fatalf("cell %d: %v", i, err)
		}
		back, _ := svcE2E.Seal(InnerMsg{Cmd: 3, StreamID: 1, Data: []byte("200 OK")})
		if got, err := cliE2E.Open(back); err != nil || string(got.Data) != "200 OK" {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
	if _, _, err := in.Rendezvous1(); err == nil {
		t.Fatal("an introduction answered twice")
	}
}

// The intro point (or anyone on the path) replays an INTRODUCE2 to make the
// service build another circuit to a rendezvous point of its choosing.
func TestIntroduceReplayRefused(t *testing.T) {
	f := newIntroFixture(t)
	_, msg := f.introduce(t, 10, 0)
	if _, err := f.svc.Open(msg, testNow); err != nil {
		t.Fatal(err)
	}
	for _, later := range []time.Duration{0, time.Second, 50 * time.Minute} {
		if _, err := f.svc.Open(bytes.Clone(msg), testNow.Add(later)); !errors.Is(err, ErrReplay) {
			t.Fatalf("replay after %v: %v", later, err)
		}
	}
	// After the window, the bucket is gone but the timestamp refuses it.
	if _, err := f.svc.Open(msg, testNow.Add(2*time.Hour)); !errors.Is(err, ErrStale) {
		t.Fatalf("replay after the window: %v", err)
	}
}

func TestIntroduceTamperRefused(t *testing.T) {
	f := newIntroFixture(t)
	_, msg := f.introduce(t, 10, 0)
	for _, off := range []int{0, 40, 70, len(msg) - 1} {
		c := bytes.Clone(msg)
		c[off] ^= 1
		_, err := f.svc.Open(c, testNow)
		if !errors.Is(err, ErrIntroduceDecrypt) && !errors.Is(err, ErrMalformed) {
			t.Errorf("flip at %d: %v", off, err)
		}
	}
	// Meant for another service: the prologue differs, it does not open.
	other := *f.svc
	other.Service = testIdentity(8).Public()
	other.Replay = NewReplayCache(0, 0, 0)
	if _, err := other.Open(msg, testNow); !errors.Is(err, ErrIntroduceDecrypt) {
		t.Fatalf("other service: %v", err)
	}
	if f.svc.Replay.Len(f.keys.AuthKey()) != 0 {
		t.Fatal("undecryptable introductions entered the replay cache")
	}
}

func TestIntroduceBadPoWRefused(t *testing.T) {
	f := newIntroFixture(t)
	c, err := NewClientIntro(f.req, testRand(11))
	if err != nil {
		t.Fatal(err)
	}
	// Claims effort 12 with a nonce that was never searched for.
	msg, _ := c.Introduce1(PoWSolution{Effort: 12, SeedHead: [4]byte(f.seed[:4])})
	if _, err := f.svc.Open(msg, testNow); !errors.Is(err, ErrBadPoW) {
		t.Fatalf("unsolved claim: %v", err)
	}
	// A real solution for one handshake moved to another.
	ch, _ := c.Challenge(f.seed)
	sol, _ := ch.Solve(4, testRand(12), 0)
	c2, _ := NewClientIntro(f.req, testRand(13))
	moved, _ := c2.Introduce1(sol)
	if _, err := f.svc.Open(moved, testNow); !errors.Is(err, ErrBadPoW) {
		t.Fatalf("solution of another handshake: %v", err)
	}
}

func TestRendezvous2FromImpostorRefused(t *testing.T) {
	f := newIntroFixture(t)
	c, msg := f.introduce(t, 10, 0)
	// The rendezvous point makes up its own answer.
	fake := make([]byte, Rendezvous2Size)
	fake[0] = 9
	if _, err := c.Rendezvous2(fake); !errors.Is(err, ErrRendezvous) {
		t.Fatalf("fake rendezvous2: %v", err)
	}
	_ = msg
}

func TestEstablishIntroBinding(t *testing.T) {
	keys, _ := NewIntroKeys(testRand(4))
	m := NewEstablishIntro(keys, []byte("circuit A"), 10, 20)
	got, err := ParseEstablishIntro(m, []byte("circuit A"))
	if err != nil || got.AuthKey != keys.AuthKey() || got.Rate != 10 || got.Burst != 20 {
		t.Fatalf("%+v %v", got, err)
	}
	// Captured and replayed on another circuit to steal the introductions.
	if _, err := ParseEstablishIntro(m, []byte("circuit B")); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("replayed on another circuit: %v", err)
	}
	m[33] ^= 1
	if _, err := ParseEstablishIntro(m, []byte("circuit A")); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("altered rate: %v", err)
	}
}
