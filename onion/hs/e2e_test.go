package hs

import (
	"bytes"
	"errors"
	"testing"
)

func e2ePair(t testing.TB) (*E2E, *E2E) {
	t.Helper()
	f := newIntroFixture(t)
	c, msg := f.introduce(t, 20, 0)
	in, err := f.svc.Open(msg, testNow)
	if err != nil {
		t.Fatal(err)
	}
	r1, s, err := in.Rendezvous1()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := c.Rendezvous2(r1[CookieSize:])
	if err != nil {
		t.Fatal(err)
	}
	return cl, s
}

// The rendezvous point sees every E2E cell: it must not find the plaintext,
// nor learn its length, and cannot alter, drop, reorder or replay a cell.
func TestE2ERendezvousPointCannotRead(t *testing.T) {
	cl, s := e2ePair(t)
	secret := []byte("the marketplace's login page")
	short, _ := cl.Seal(InnerMsg{Cmd: 3, Data: secret})
	long, _ := cl.Seal(InnerMsg{Cmd: 3, Data: bytes.Repeat([]byte{'x'}, MaxE2EData)})
	if len(short) != MaxMessage || len(long) != MaxMessage {
		t.Fatal("cell size depends on content")
	}
	if bytes.Contains(short, secret[:8]) {
		t.Fatal("plaintext visible to the rendezvous point")
	}
	if _, err := s.Open(short); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(long); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Seal(InnerMsg{Data: make([]byte, MaxE2EData+1)}); err == nil {
		t.Fatal("oversized e2e data accepted")
	}
}

func TestE2ETamperReorderReplayRefused(t *testing.T) {
	for name, attack := range map[string]func(a, b []byte) [][]byte{
		"flip":    func(a, b []byte) [][]byte { a = bytes.Clone(a); a[5] ^= 1; return [][]byte{a} },
		"reorder": func(a, b []byte) [][]byte { return [][]byte{b, a} },
		"replay":  func(a, b []byte) [][]byte { return [][]byte{a, a} },
		"drop":    func(a, b []byte) [][]byte { return [][]byte{b} },
	} {
		cl, s := e2ePair(t)
		a, _ := cl.Seal(InnerMsg{Cmd: 3, Data: []byte("one")})
		b, _ := cl.Seal(InnerMsg{Cmd: 3, Data: []byte("two")})
		var err error
		for _, c := range attack(a, b) {
			if _, err = s.Open(c); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrE2E) {
			t.Errorf("%s: %v", name, err)
		}
		// Once broken, even a genuine cell is refused.
		if _, err := s.Open(b); !errors.Is(err, ErrE2E) {
			t.Errorf("%s: layer usable after a failure", name)
		}
	}
}
