package hs

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"
)

type torBlindVector struct{ seed, esk, pub, param, besk, bpub []byte }

func loadTorBlindVectors(t *testing.T) []torBlindVector {
	t.Helper()
	f, err := os.Open("testdata/tor_blinding.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []torBlindVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var b [6][]byte
		for i, h := range strings.Fields(line) {
			if b[i], err = hex.DecodeString(h); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, torBlindVector{b[0], b[1], b[2], b[3], b[4], b[5]})
	}
	if len(out) != 8 {
		t.Fatalf("read %d vectors, want 8", len(out))
	}
	return out
}

// TestTorBlindingVectors checks the blinding arithmetic (clamped param,
// h·A, h·a mod ℓ, the RH' hash) against Tor's own vectors.
func TestTorBlindingVectors(t *testing.T) {
	for i, v := range loadTorBlindVectors(t) {
		k := IdentityKeyFromSeed([32]byte(v.seed))
		if pub := k.Public(); !bytes.Equal(pub[:], v.pub) {
			t.Fatalf("vector %d: public key %x", i, pub)
		}
		a, rh := k.expand()
		if got := append(a.Bytes(), rh[:]...); !bytes.Equal(got[32:], v.esk[32:]) {
			t.Fatalf("vector %d: expanded prefix %x", i, got)
		}
		s := blindSecret(a, rh, [32]byte(v.param))
		if got := append(s.a.Bytes(), s.prefix[:]...); !bytes.Equal(got, v.besk) {
			t.Errorf("vector %d: blinded secret\n got %x\nwant %x", i, got, v.besk)
		}
		bp, err := blindPublic(PublicKey(v.pub), [32]byte(v.param))
		if err != nil || !bytes.Equal(bp[:], v.bpub) {
			t.Errorf("vector %d: blinded public %x, %v", i, bp, err)
		}
		if s.Public() != bp {
			t.Errorf("vector %d: secret and public blinding disagree", i)
		}
	}
}

func TestBlindedSignatureVerifies(t *testing.T) {
	k := testIdentity(1)
	p := PeriodAt(time.Unix(1_800_000_000, 0), 0)
	s := k.Blind(p)
	bp, err := k.Public().Blind(p)
	if err != nil || bp != s.Public() {
		t.Fatalf("client-side blinding %x != service-side %x (%v)", bp, s.Public(), err)
	}
	msg := []byte("descriptor")
	sig := s.Sign(msg)
	if !ed25519.Verify(bp[:], msg, sig) || !bp.Verify(msg, sig) {
		t.Fatal("blinded signature does not verify")
	}
	pub := k.Public()
	if ed25519.Verify(pub[:], msg, sig) {
		t.Fatal("blinded signature verifies under the identity key")
	}
	sig[10] ^= 1
	if bp.Verify(msg, sig) {
		t.Fatal("tampered signature verifies")
	}
}

func TestBlindedKeysDifferPerPeriod(t *testing.T) {
	pub := testIdentity(2).Public()
	p := PeriodAt(time.Unix(1_800_000_000, 0), 0)
	a, _ := pub.Blind(p)
	b, _ := pub.Blind(p.Next())
	c, _ := pub.Blind(Period{p.Num, time.Hour})
	if a == b || a == c || a == BlindedKey(pub) {
		t.Fatal("blinded keys repeat across periods or equal the identity")
	}
}

// testIdentity returns a fixed identity key for tests.
func testIdentity(n byte) *IdentityKey {
	var seed [32]byte
	seed[0] = n
	return IdentityKeyFromSeed(seed)
}
