package hs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

var testNow = time.Unix(1_800_000_000, 0).UTC()

func testRand(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return rand.NewChaCha8(s)
}

func testDescriptor(n int) *Descriptor {
	d := &Descriptor{
		Period:    PeriodAt(testNow, 0),
		Revision:  7,
		Expiry:    testNow.Add(3 * time.Hour),
		PoWEffort: 4,
	}
	for i := range n {
		ip := IntroPoint{Relay: bytes.Repeat([]byte{byte('A' + i)}, 38)}
		ip.AuthKey[0], ip.NKKey[0] = byte(i+1), byte(i+100)
		d.Intro = append(d.Intro, ip)
	}
	d.PoWSeed[5] = 9
	return d
}

func sealTest(t testing.TB, id *IdentityKey, d *Descriptor) []byte {
	t.Helper()
	b, err := d.Seal(id, testRand(1))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDescriptorRoundTrip(t *testing.T) {
	id := testIdentity(3)
	for _, n := range []int{1, DefaultIntroPoints, MaxIntroPoints} {
		d := testDescriptor(n)
		b := sealTest(t, id, d)
		if len(b) != DescriptorSize || len(b) > MaxDescriptorSize {
			t.Fatalf("size %d", len(b))
		}
		got, err := Open(b, id.Public(), testNow, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 7 || !got.Expiry.Equal(d.Expiry) || got.PoWEffort != 4 || got.PoWSeed != d.PoWSeed ||
			len(got.Intro) != n || !bytes.Equal(got.Intro[n-1].Relay, d.Intro[n-1].Relay) || got.Intro[0].NKKey != d.Intro[0].NKKey {
			t.Fatalf("round trip: %+v", got)
		}
	}
}

// A directory, or anyone listing the DHT, holds the descriptor and its
// blinded key but not the address: it must learn nothing of the contents.
func TestDescriptorUnreadableWithoutAddress(t *testing.T) {
	id, other := testIdentity(3), testIdentity(4)
	d := testDescriptor(3)
	b := sealTest(t, id, d)
	if bytes.Contains(b, d.Intro[0].Relay[:8]) {
		t.Fatal("introduction relay visible in the stored descriptor")
	}
	o, err := VerifyOuter(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.decrypt(other.Public()); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("decrypt with another address: %v", err)
	}
	// Knowing the blinded key as "identity" does not help either.
	if _, err := o.decrypt(PublicKey(o.Blinded)); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("decrypt with the blinded key: %v", err)
	}
}

// A forger (a directory, or another service) cannot alter a descriptor or
// make one under a service's blinded key.
func TestDescriptorForgedSignatureRefused(t *testing.T) {
	id := testIdentity(3)
	b := sealTest(t, id, testDescriptor(3))
	for _, off := range []int{1, 40, 50, outerHeaderLen + 3, len(b) - 70, len(b) - 1} {
		c := bytes.Clone(b)
		c[off] ^= 0x20
		if _, err := VerifyOuter(c); !errors.Is(err, ErrBadSignature) {
			t.Errorf("flip at %d: %v", off, err)
		}
	}
	// The attacker signs with its own blinded key a descriptor that names
	// the victim's blinded key.
	victim, _ := id.Public().Blind(PeriodAt(testNow, 0))
	forged := sealTest(t, testIdentity(5), testDescriptor(3))
	copy(forged[1:33], victim[:])
	if _, err := VerifyOuter(forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged signer: %v", err)
	}
	// An honest descriptor of the attacker's own, offered as the victim's.
	own := sealTest(t, testIdentity(5), testDescriptor(3))
	if _, err := Open(own, id.Public(), testNow, 0); !errors.Is(err, ErrWrongPeriod) {
		t.Fatalf("another service's descriptor: %v", err)
	}
}

// A replayed descriptor of an old period, or one made for another period
// length, is refused.
func TestDescriptorWrongPeriodRefused(t *testing.T) {
	id := testIdentity(3)
	d := testDescriptor(3)
	d.Period.Num -= 2
	d.Expiry = testNow.Add(time.Hour) // even with a live expiry
	if _, err := Open(sealTest(t, id, d), id.Public(), testNow, 0); !errors.Is(err, ErrWrongPeriod) {
		t.Fatalf("old period: %v", err)
	}
	d = testDescriptor(3)
	d.Period = PeriodAt(testNow, time.Hour)
	if _, err := Open(sealTest(t, id, d), id.Public(), testNow, 0); !errors.Is(err, ErrWrongPeriod) {
		t.Fatalf("other period length: %v", err)
	}
	d = testDescriptor(3)
	d.Expiry = testNow.Add(-time.Second)
	if _, err := Open(sealTest(t, id, d), id.Public(), testNow, 0); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	d = testDescriptor(3)
	d.Expiry = testNow.Add(30 * 24 * time.Hour)
	if _, err := Open(sealTest(t, id, d), id.Public(), testNow, 0); !errors.Is(err, ErrWrongPeriod) {
		t.Fatalf("far expiry: %v", err)
	}
}

func TestDescriptorOversizedRefused(t *testing.T) {
	b := sealTest(t, testIdentity(3), testDescriptor(3))
	big := append(bytes.Clone(b), make([]byte, MaxDescriptorSize)...)
	if _, err := VerifyOuter(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := VerifyOuter(b[:len(b)-1]); !errors.Is(err, ErrMalformed) {
		t.Fatalf("truncated: %v", err)
	}
}

func TestDescriptorOlderRevisionRefused(t *testing.T) {
	id := testIdentity(3)
	d := testDescriptor(3)
	held, _ := VerifyOuter(sealTest(t, id, d))
	d.Revision = 6
	older, _ := VerifyOuter(sealTest(t, id, d))
	d.Revision = 8
	newer, _ := VerifyOuter(sealTest(t, id, d))
	if err := CheckRevision(held, older); !errors.Is(err, ErrOldRevision) {
		t.Fatalf("older: %v", err)
	}
	if err := CheckRevision(held, held); !errors.Is(err, ErrOldRevision) {
		t.Fatalf("same: %v", err)
	}
	if err := CheckRevision(held, newer); err != nil {
		t.Fatalf("newer: %v", err)
	}
}

func TestDescriptorIndices(t *testing.T) {
	o, _ := VerifyOuter(sealTest(t, testIdentity(3), testDescriptor(3)))
	idx := Indices(o.Blinded, o.Period)
	if idx[0] == idx[1] || !o.StoredAt(idx[1]) {
		t.Fatal("replica indices")
	}
	other, _ := testIdentity(4).Public().Blind(o.Period)
	if o.StoredAt(IndexOf(other, o.Period, 0)) || o.StoredAt(IndexOf(o.Blinded, o.Period.Next(), 0)) {
		t.Fatal("descriptor accepted under another service's or period's index")
	}
}

func TestSealRefusesBadInput(t *testing.T) {
	id := testIdentity(3)
	for name, d := range map[string]*Descriptor{
		"no intro":    testDescriptor(0),
		"many intro":  testDescriptor(MaxIntroPoints + 1),
		"long relay":  func() *Descriptor { d := testDescriptor(1); d.Intro[0].Relay = make([]byte, MaxRelayID+1); return d }(),
		"high effort": func() *Descriptor { d := testDescriptor(1); d.PoWEffort = MaxPoWEffort + 1; return d }(),
	} {
		if _, err := d.Seal(id, testRand(1)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
