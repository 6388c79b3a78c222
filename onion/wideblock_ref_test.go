package onion

import (
	"crypto/aes"
	"encoding/binary"
	"testing"
)

// A slow, obviously correct model of the cells v2 layer, written from the
// comments of wideblock.go and crypto.go and NIST SP 800-38D, sharing no
// code with them: GHASH is bit-by-bit multiplication in GF(2^128) (SP
// 800-38D §6.3, Algorithm 1), the keystream is AES on explicit counter
// blocks, nothing is precomputed or fused. Only AES itself (crypto/aes,
// one block at a time) is trusted.

// gfMul is X·Y in GF(2^128) with GCM's bit order (SP 800-38D §6.3).
func gfMul(x, y [16]byte) [16]byte {
	var z [16]byte
	v := y
	for i := range 128 {
		if x[i/8]>>(7-i%8)&1 == 1 {
			for j := range z {
				z[j] ^= v[j]
			}
		}
		lsb := v[15] & 1
		for j := 15; j > 0; j-- {
			v[j] = v[j]>>1 | v[j-1]<<7
		}
		v[0] >>= 1
		if lsb == 1 {
			v[0] ^= 0xe1
		}
	}
	return z
}

// refGHASH hashes data, zero-padded to whole blocks, under h.
func refGHASH(h [16]byte, data []byte) [16]byte {
	var y [16]byte
	for len(data) > 0 {
		var blk [16]byte
		n := copy(blk[:], data)
		data = data[n:]
		for j := range y {
			y[j] ^= blk[j]
		}
		y = gfMul(y, h)
	}
	return y
}

func refAES(t testing.TB, key []byte, in [16]byte) [16]byte {
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	var out [16]byte
	b.Encrypt(out[:], in[:])
	return out
}

func refAESInv(t testing.TB, key []byte, in [16]byte) [16]byte {
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	var out [16]byte
	b.Decrypt(out[:], in[:])
	return out
}

func xor16(a, b [16]byte) (z [16]byte) {
	for i := range z {
		z[i] = a[i] ^ b[i]
	}
	return z
}

// refH is h(W, X) = GHASH_H(W ‖ pad(X) ‖ len(W) ‖ len(X)), H = AES_Kc(0).
func refH(t testing.TB, kc []byte, w, x []byte) [16]byte {
	hk := refAES(t, kc, [16]byte{})
	msg := append([]byte(nil), w...) // W is 32 bytes: already whole blocks
	msg = append(msg, x...)
	for len(msg)%16 != 0 {
		msg = append(msg, 0)
	}
	var l [16]byte
	binary.BigEndian.PutUint64(l[:8], uint64(len(w))*8)
	binary.BigEndian.PutUint64(l[8:], uint64(len(x))*8)
	return refGHASH(hk, append(msg, l[:]...))
}

// refKS XORs the keystream AES_Kc(N ‖ 2), AES_Kc(N ‖ 3), … into x, with
// N = AES_Kn(t')[0:12].
func refKS(t testing.TB, kc, kn []byte, tp [16]byte, x []byte) {
	n := refAES(t, kn, tp)
	for i := 0; i < len(x); i += 16 {
		var ctr [16]byte
		copy(ctr[:12], n[:12])
		binary.BigEndian.PutUint32(ctr[12:], uint32(2+i/16))
		ks := refAES(t, kc, ctr)
		for j := i; j < len(x) && j < i+16; j++ {
			x[j] ^= ks[j-i]
		}
	}
}

// refSlow is the slow direction from the spec: T' = E_Kt(T ⊕ h) ⊕ h, then
// X' = X ⊕ KS(N(T')).
func refSlow(t testing.TB, keys []byte, w []byte, body []byte) []byte {
	kc, kt, kn := keys[0:32], keys[32:64], keys[64:96]
	out := append([]byte(nil), body...)
	h := refH(t, kc, w, out[16:])
	tp := xor16(refAES(t, kt, xor16([16]byte(out[:16]), h)), h)
	copy(out[:16], tp[:])
	refKS(t, kc, kn, tp, out[16:])
	return out
}

// refFast is its inverse: X = X' ⊕ KS(N(T')), then T = D_Kt(T' ⊕ h) ⊕ h.
func refFast(t testing.TB, keys []byte, w []byte, body []byte) []byte {
	kc, kt, kn := keys[0:32], keys[32:64], keys[64:96]
	out := append([]byte(nil), body...)
	tp := [16]byte(out[:16])
	refKS(t, kc, kn, tp, out[16:])
	h := refH(t, kc, w, out[16:])
	tt := xor16(refAESInv(t, kt, xor16(tp, h)), h)
	copy(out[:16], tt[:])
	return out
}

// refLayer models one direction of a hop's layer (crypto.go): the tweak,
// the zero recognition tag and the chain, on top of refSlow/refFast.
type refLayer struct {
	keys     []byte
	backward bool
	counter  uint64
	chain    [16]byte
}

func (l *refLayer) tweak(cmd Command) []byte {
	w := make([]byte, 32)
	n := l.counter
	if l.backward {
		n |= 1 << 63
	}
	binary.BigEndian.PutUint64(w, n)
	copy(w[8:24], l.chain[:])
	w[24], w[25] = byte(cmd), 2
	return w
}

// seal: the originating side. Relays run only the enciphering direction
// (slow): they add backward layers with it, so the client adds forward
// ones with its inverse (fast), which the relay's slow then removes.
func (l *refLayer) seal(t testing.TB, body []byte, cmd Command) []byte {
	in := append([]byte(nil), body...)
	w := l.tweak(cmd)
	copy(in[:16], w[:16]) // the originator's tag field: the tweak's first half
	var out []byte
	if l.backward {
		out = refSlow(t, l.keys, l.tweak(cmd), in)
	} else {
		out = refFast(t, l.keys, l.tweak(cmd), in)
	}
	l.chain = xor16([16]byte(in[:16]), [16]byte(out[:16]))
	l.counter++
	return out
}
