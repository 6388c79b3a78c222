package hs

import (
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

func BenchmarkDescriptorSeal(b *testing.B) {
	id, d := testIdentity(3), testDescriptor(DefaultIntroPoints)
	r := testRand(1)
	for b.Loop() {
		if _, err := d.Seal(id, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDescriptorOpen(b *testing.B) {
	id := testIdentity(3)
	raw := sealTest(b, id, testDescriptor(DefaultIntroPoints))
	pub := id.Public()
	for b.Loop() {
		if _, err := Open(raw, pub, testNow, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescriptorVerifyOuter is what a directory node pays per store.
func BenchmarkDescriptorVerifyOuter(b *testing.B) {
	raw := sealTest(b, testIdentity(3), testDescriptor(DefaultIntroPoints))
	for b.Loop() {
		if _, err := VerifyOuter(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkE2ECell(b *testing.B) {
	cl, s := e2ePair(b)
	data := make([]byte, MaxE2EData)
	b.SetBytes(MaxE2EData)
	for b.Loop() {
		c, _ := cl.Seal(InnerMsg{Cmd: 3, Data: data})
		if _, err := s.Open(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkE2EBaselineAEAD is one bare ChaCha20-Poly1305 seal and open of
// the same size: the floor the e2e layer is measured against.
func BenchmarkE2EBaselineAEAD(b *testing.B) {
	aead, _ := chacha20poly1305.New(make([]byte, 32))
	p := make([]byte, e2ePlainLen)
	nonce := make([]byte, 12)
	b.SetBytes(MaxE2EData)
	for b.Loop() {
		c := aead.Seal(nil, nonce, p, nil)
		if _, err := aead.Open(nil, nonce, c, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIntroduceOpen(b *testing.B) {
	f := newIntroFixture(b)
	msgs := make([][]byte, 0, 64)
	for i := range 64 {
		_, m := f.introduce(b, uint64(5000+i), 0)
		msgs = append(msgs, m)
	}
	i := 0
	for b.Loop() {
		f.svc.Replay = NewReplayCache(0, 0, 0)
		if _, err := f.svc.Open(msgs[i%len(msgs)], testNow); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
