package hs

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzDescriptor: parsing and decryption never panic; whatever opens
// re-seals, with its own nonce, to exactly the same bytes (Ed25519 is
// deterministic), so the format has one encoding per descriptor.
func FuzzDescriptor(f *testing.F) {
	id := testIdentity(3)
	for _, n := range []int{1, 3, MaxIntroPoints} {
		f.Add(sealTest(f, id, testDescriptor(n)))
	}
	f.Add([]byte{DescriptorVersion})
	pub := id.Public()
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Open(b, pub, testNow, 0)
		if err != nil {
			return
		}
		nonce := b[outerHeaderLen : outerHeaderLen+nonceLen]
		again, err := d.Seal(id, bytes.NewReader(nonce))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("re-seal differs: %v", err)
		}
	})
}

// FuzzDescriptorInner: the plaintext parser's round trip.
func FuzzDescriptorInner(f *testing.F) {
	for _, n := range []int{1, 3, MaxIntroPoints} {
		b, _ := testDescriptor(n).appendInner(nil)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Descriptor
		if d.parseInner(b) != nil {
			return
		}
		again, err := d.appendInner(nil)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzIntroduce: a service opening arbitrary INTRODUCE2 bytes never panics
// and fails with a sentinel; a message that opens opens once only.
func FuzzIntroduce(f *testing.F) {
	fx := newIntroFixture(f)
	for i := range 3 {
		_, m := fx.introduce(f, uint64(40+i), uint8(i))
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fx.svc.Replay = NewReplayCache(0, 0, 0)
		_, err := fx.svc.Open(b, testNow)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("non-sentinel error %v", err)
			}
			return
		}
		if _, err := fx.svc.Open(b, testNow); !errors.Is(err, ErrReplay) {
			t.Fatalf("second open: %v", err)
		}
	})
}

// FuzzIntroPayload: the decrypted payload parser's round trip.
func FuzzIntroPayload(f *testing.F) {
	in := Introduction{Period: 3, RP: []byte("rp"), Effort: 2, pow: PoWSolution{Effort: 2}}
	f.Add(in.appendPayload(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseIntroPayload(b)
		if err != nil {
			return
		}
		if again := got.appendPayload(nil); !bytes.Equal(again, b) {
			t.Fatalf("round trip %x", again)
		}
	})
}

// FuzzRendezvous: RENDEZVOUS1 splits into cookie ‖ RENDEZVOUS2 exactly; a
// client given arbitrary RENDEZVOUS2 bytes never panics and only the
// service's own answer completes the handshake.
func FuzzRendezvous(f *testing.F) {
	fx := newIntroFixture(f)
	_, m := fx.introduce(f, 60, 0)
	in, err := fx.svc.Open(m, testNow)
	if err != nil {
		f.Fatal(err)
	}
	r1, _, _ := in.Rendezvous1()
	f.Add(r1)
	f.Add(r1[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		cookie, r2, err := ParseRendezvous1(b)
		if err != nil {
			return
		}
		if !bytes.Equal(append(cookie[:], r2...), b) {
			t.Fatal("split is not exact")
		}
		c, _ := fx.introduce(t, 61, 0)
		if _, err := c.Rendezvous2(r2); !errors.Is(err, ErrRendezvous) {
			t.Fatalf("an answer to another introduction completed: %v", err)
		}
	})
}

// FuzzE2EOpen: nothing but the peer's own cells opens.
func FuzzE2EOpen(f *testing.F) {
	cl, _ := e2ePair(f)
	c, _ := cl.Seal(InnerMsg{Cmd: 3, Data: []byte("x")})
	f.Add(c)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, s := e2ePair(t)
		if _, err := s.Open(b); err == nil && !bytes.Equal(b, c) {
			t.Fatal("a forged e2e cell opened")
		}
	})
}

// FuzzEstablishIntro: only a signed message for this circuit parses, and
// its fields re-encode to the signed bytes.
func FuzzEstablishIntro(f *testing.F) {
	keys, _ := NewIntroKeys(testRand(4))
	f.Add(NewEstablishIntro(keys, []byte("bind"), 1, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEstablishIntro(b, []byte("bind"))
		if err != nil {
			return
		}
		if e.AuthKey != [32]byte(b[:32]) || e.Rate != uint32(b[32])<<24|uint32(b[33])<<16|uint32(b[34])<<8|uint32(b[35]) {
			t.Fatal("fields do not match the signed bytes")
		}
	})
}

// FuzzParseAddress: whatever parses prints back as the same name.
func FuzzParseAddress(f *testing.F) {
	f.Add(testIdentity(1).Public().Address())
	f.Add("x.mesh")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseAddress(s)
		if err != nil {
			return
		}
		if k.Address() != strings.ToLower(s) {
			t.Fatalf("%q prints as %q", s, k.Address())
		}
	})
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrMalformed, ErrReplay, ErrIntroduceDecrypt, ErrStale, ErrReplayCacheFull, ErrBadPoW, ErrBadKey} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
