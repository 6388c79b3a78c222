package onion

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestRefGHASHAgainstNIST checks the reference GF(2^128) arithmetic against
// the GCM specification's test case 14 (McGrew & Viega, "The Galois/Counter
// Mode of Operation", appendix B: AES-256, K = 0, IV = 0, P = 0^128), so the
// reference is anchored outside this repository.
func TestRefGHASHAgainstNIST(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	h := refAES(t, key, [16]byte{})
	if hex.EncodeToString(h[:]) != "dc95c078a2408989ad48a21492842087" {
		t.Fatalf("H = %x", h)
	}
	j0 := [16]byte{15: 1}
	c := refAES(t, key, [16]byte{15: 2}) // P = 0, so C = AES_K(IV ‖ 2)
	if hex.EncodeToString(c[:]) != "cea7403d4d606b6e074ec5d3baf39d18" {
		t.Fatalf("C = %x", c)
	}
	var l [16]byte
	l[15] = 128 // len(A) = 0, len(C) = 128 bits
	tag := xor16(refGHASH(h, append(c[:], l[:]...)), refAES(t, key, j0))
	if got := hex.EncodeToString(tag[:]); got != "d0d1c8a799996bf0265b98b5d48ab919" {
		t.Fatalf("T = %s", got)
	}
}

// TestRefGHASHAgainstGCM: the reference hash equals the standard library's
// AES-GCM tag (minus its mask) on random inputs of our shape.
func TestRefGHASHAgainstGCM(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{21})
	for range 20 {
		key, w, x := randomBytes(rng, 32), randomBytes(rng, wbTweakSize), randomBytes(rng, wbRest)
		nonce := randomBytes(rng, 12)
		b, _ := aes.NewCipher(key)
		g, _ := cipher.NewGCM(b)
		sealed := g.Seal(nil, nonce, x, w)
		j0 := [16]byte{15: 1}
		copy(j0[:], nonce)
		want := xor16([16]byte(sealed[wbRest:]), refAES(t, key, j0))
		if got := refH(t, key, w, sealed[:wbRest]); got != want {
			t.Fatalf("reference GHASH %x, GCM says %x", got, want)
		}
	}
}

// TestWideBlockMatchesReference: the fast implementation equals the slow
// reference on random keys, tweaks and bodies, both ways, and round-trips.
func TestWideBlockMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{22})
	for i := range 50 {
		keys := [wbKeys]byte(randomBytes(rng, wbKeys))
		tw := [wbTweakSize]byte(randomBytes(rng, wbTweakSize))
		in := [BodySize]byte(randomBytes(rng, BodySize))
		wb := newWideBlock(&keys)
		body := in
		wb.slow(&body, &tw)
		if want := refSlow(t, keys[:], tw[:], in[:]); !bytes.Equal(body[:], want) {
			t.Fatalf("case %d: slow differs from the reference", i)
		}
		wb.fast(&body, &tw)
		if body != in {
			t.Fatalf("case %d: fast(slow(x)) != x", i)
		}
		wb.fast(&body, &tw)
		if want := refFast(t, keys[:], tw[:], in[:]); !bytes.Equal(body[:], want) {
			t.Fatalf("case %d: fast differs from the reference", i)
		}
	}
}

// TestWideBlockNoMalleability: flipping any one bit of a slow output (tag
// field, body or tweak) leaves fast's tag field nowhere near the original:
// no bit position of the tag can be steered.
func TestWideBlockNoMalleability(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{23})
	keys := [wbKeys]byte(randomBytes(rng, wbKeys))
	tw := [wbTweakSize]byte(randomBytes(rng, wbTweakSize))
	wb := newWideBlock(&keys)
	in := [BodySize]byte(randomBytes(rng, BodySize))
	ct := in
	wb.slow(&ct, &tw)
	for bit := 0; bit < 8*(BodySize+wbTweakSize); bit += 7 {
		body, w := ct, tw
		if bit < 8*BodySize {
			body[bit/8] ^= 1 << (bit % 8)
		} else {
			w[bit/8-BodySize] ^= 1 << (bit % 8)
		}
		wb.fast(&body, &w)
		if bytes.Equal(body[:TagSize], in[:TagSize]) {
			t.Fatalf("bit %d: tag field survived the change", bit)
		}
	}
}

type wideBlockVector struct {
	Keys, Tweak, Plaintext, Ciphertext string
}

// TestWideBlockVectors pins the primitive to known answers computed by the
// reference (wideblock_ref_test.go), never by the code under test: -update
// rewrites them from the reference only.
func TestWideBlockVectors(t *testing.T) {
	t.Parallel()
	var vs []wideBlockVector
	if *update {
		rng := rand.NewChaCha8([32]byte{24})
		for range 4 {
			v := wideBlockVector{Keys: hex.EncodeToString(randomBytes(rng, wbKeys)),
				Tweak: hex.EncodeToString(randomBytes(rng, wbTweakSize)), Plaintext: hex.EncodeToString(randomBytes(rng, BodySize))}
			v.Ciphertext = hex.EncodeToString(refSlow(t, unhex(t, v.Keys), unhex(t, v.Tweak), unhex(t, v.Plaintext)))
			vs = append(vs, v)
		}
		writeJSON(t, "wideblock.json", vs)
	}
	readJSON(t, "wideblock.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for i, v := range vs {
		keys, tw := [wbKeys]byte(unhex(t, v.Keys)), [wbTweakSize]byte(unhex(t, v.Tweak))
		body := [BodySize]byte(unhex(t, v.Plaintext))
		newWideBlock(&keys).slow(&body, &tw)
		if got := hex.EncodeToString(body[:]); got != v.Ciphertext {
			t.Fatalf("vector %d: slow %s\nwant %s", i, got, v.Ciphertext)
		}
		if got := hex.EncodeToString(refSlow(t, keys[:], tw[:], unhex(t, v.Plaintext))); got != v.Ciphertext {
			t.Fatalf("vector %d: the reference itself changed", i)
		}
	}
}

// FuzzWideBlock: on any keys, tweak and body, slow and fast invert each
// other, never panic, and agree with the reference.
func FuzzWideBlock(f *testing.F) {
	f.Add(make([]byte, wbKeys), make([]byte, wbTweakSize), make([]byte, BodySize))
	rng := rand.NewChaCha8([32]byte{25})
	f.Add(randomBytes(rng, wbKeys), randomBytes(rng, wbTweakSize), randomBytes(rng, BodySize))
	f.Fuzz(func(t *testing.T, k, w, b []byte) {
		var keys [wbKeys]byte
		var tw [wbTweakSize]byte
		var body [BodySize]byte
		copy(keys[:], k)
		copy(tw[:], w)
		copy(body[:], b)
		in := body
		wb := newWideBlock(&keys)
		wb.slow(&body, &tw)
		if want := refSlow(t, keys[:], tw[:], in[:]); !bytes.Equal(body[:], want) {
			t.Fatal("slow differs from the reference")
		}
		wb.fast(&body, &tw)
		if body != in {
			t.Fatal("fast(slow(x)) != x")
		}
		wb.fast(&body, &tw)
		wb.slow(&body, &tw)
		if body != in {
			t.Fatal("slow(fast(x)) != x")
		}
	})
}
