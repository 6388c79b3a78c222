package onion

// The wide-block primitive under every layer (cells v2): a tweakable,
// length-preserving cipher on one 509-byte relay body, shaped like the UIV+
// construction of Tor's Counter Galois Onion (proposal 359, §"UIV+") but
// built only from what the Go standard library runs in AES-NI/PCLMULQDQ
// assembly. It is not Tor's CGO (CGO uses POLYVAL under its own key, which
// the standard library cannot compute in assembly), so Tor's vectors do not
// apply; testdata/wideblock.json holds vectors from the slow reference in
// wideblock_ref_test.go, written from this comment alone.
//
// A body is T ‖ X: T its first 16 bytes (the tag field), X the other 493.
// With a 32-byte tweak W and four independent AES-256 keys Kc, Kt, Kn (and
// Km for the recognition tag, layer.go):
//
//	h(W, X)  = GHASH_H(W ‖ pad(X) ‖ len(W) ‖ len(X)),  H = AES_Kc(0^128)
//	N(T')    = AES_Kn(T')[0:12]
//	KS(N)    = AES_Kc(N ‖ 2), AES_Kc(N ‖ 3), …   (32-bit big-endian counter)
//
//	slow: T' = AES_Kt(T ⊕ h(W, X)) ⊕ h(W, X);   X' = X ⊕ KS(N(T'))
//	fast: X  = X' ⊕ KS(N(T'));   T = AES⁻¹_Kt(T' ⊕ h(W, X)) ⊕ h(W, X)
//
// fast is the inverse of slow. T' is an LRW2 tweakable block cipher on T
// whose tweak is the universal hash of W and all of X, so a change to any
// bit of W or X turns T into noise; X' is X under a keystream chosen by T',
// so a change to T' turns all of X into noise. slow on a modified input
// therefore yields a random T' and all of X' random with it (p ≈ 2^-128 of
// a tag match, and a random chaining value, so every later cell of that
// layer is noise too, crypto.go): a mark cannot be made to reappear further
// on. fast on a modified input yields a random T but X ⊕ (the change): that
// is why only the two ends of a layer, never a relay facing a neighbour's
// bytes, run fast (the malleable direction of UIV+).
//
// Why this shape is cheap: KS then h over the result is exactly AES-GCM's
// Seal (CTR, then GHASH of the ciphertext with W as the additional data, its
// tag masked by AES_Kc(N ‖ 1)), so fast is one Seal plus three AES blocks.
// slow needs h before KS: it takes it from a Seal under a fixed nonce N0
// with no plaintext and W ‖ X as the additional data. W is two whole blocks,
// so GHASH runs over the same blocks as h and only the length block differs:
// the tag is h(W, X) ⊕ delta, delta = (L' ⊕ L)·H ⊕ AES_Kc(N0 ‖ 1) a per-key
// constant taken once (setDelta). Then a second Seal, of 512 zero bytes,
// supplies KS(N(T')) (GCM's keystream does not depend on the plaintext),
// XORed into X: 512 is four whole 128-byte octets, which the standard
// library's assembly runs eight blocks at a time, where a Seal of X itself
// (493 bytes) leaves seven blocks to its one-at-a-time tail loop and costs
// more. So slow is a GHASH-only Seal and a keystream one. Relays only ever
// run slow (they remove forward layers and add backward ones, crypto.go);
// the client runs fast. Never the other way round: fast is malleable (its X
// is X' under a keystream chosen by T' alone), slow is not (a change
// anywhere changes T' and with it all of the keystream).

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
)

const (
	wbTweakSize = 32                  // W: counter|dir 8, chain 16, cmd 1, version 1, zero 6
	wbRest      = BodySize - TagSize  // |X| = 493
	wbNonceSize = 12                  // GCM's standard nonce
	wbSealSize  = wbRest + TagSize    // a Seal's output: X' ‖ GCM tag
	wbKSSize    = 512                 // keystream slow draws: whole 128-byte octets
	wbKeySize   = 32                  // each AES-256 key
	wbKeys      = 3 * wbKeySize       // Kc ‖ Kt ‖ Kn
	gcmCounter1 = wbNonceSize + 4 - 1 // index of J0's last byte
)

// wideBlock holds one direction's keys of the primitive. Not safe for
// concurrent use: the scratch buffers are shared by every call.
type wideBlock struct {
	gcm   cipher.AEAD  // AES-256-GCM under Kc
	kc    cipher.Block // Kc, for the tag mask AES_Kc(N ‖ 1)
	kt    cipher.Block // Kt, the LRW2 block cipher on T
	kn    cipher.Block // Kn, the nonce PRF
	delta [TagSize]byte
	// Scratch space, so the per-cell path does not allocate (buffers
	// passed through the cipher interfaces escape).
	out   [wbKSSize + TagSize]byte
	aad   [wbTweakSize + wbRest]byte // W ‖ X, slow's hash input
	n0    [wbNonceSize]byte          // the fixed nonce N0 of slow's hash: 0xff…
	nblk  [aes.BlockSize]byte
	h, t  [TagSize]byte
	zeroW [wbTweakSize]byte
}

func newWideBlock(keys *[wbKeys]byte) *wideBlock {
	w := &wideBlock{
		kc: mustAES(keys[0:32]), kt: mustAES(keys[32:64]), kn: mustAES(keys[64:96]),
	}
	gcm, err := cipher.NewGCM(w.kc)
	if err != nil {
		panic("onion: gcm: " + err.Error()) // unreachable: AES has 16-byte blocks
	}
	w.gcm = gcm
	for i := range w.n0 {
		w.n0[i] = 0xff
	}
	w.setDelta()
	return w
}

// setDelta computes the constant that turns the tag of slow's hash Seal
// into h. With G = GHASH_H, M0 = AES_Kc(N0 ‖ 1), L the length block of h
// (|W|, |X|) and L' that of W ‖ X as additional data (|W|+|X|, 0):
//
//	Seal(N0, aad = W ‖ X).tag = G(W ‖ X ‖ L') ⊕ M0 = h(W, X) ⊕ (L ⊕ L')·H ⊕ M0
//	tA = Seal(N0, aad = 0^525).tag = L'·H ⊕ M0
//	t1 = Seal(N0, W = 0, X = 0): its output is KS(N0)
//	t2 = Seal(N0, W = 0, X = KS(N0)).tag = L·H ⊕ M0   (its output is 0)
//
// so delta = tA ⊕ t2 ⊕ M0 = (L ⊕ L')·H ⊕ M0.
func (w *wideBlock) setDelta() {
	var zero [wbRest]byte
	var ks [wbRest]byte
	copy(ks[:], w.gcm.Seal(w.out[:0], w.n0[:], zero[:], w.zeroW[:])[:wbRest])
	var t2 [TagSize]byte
	copy(t2[:], w.gcm.Seal(w.out[:0], w.n0[:], ks[:], w.zeroW[:])[wbRest:])
	clear(w.aad[:])
	tA := w.gcm.Seal(w.out[:0], w.n0[:], nil, w.aad[:])
	copy(w.nblk[:], w.n0[:])
	w.nblk[12], w.nblk[13], w.nblk[14], w.nblk[gcmCounter1] = 0, 0, 0, 1
	w.kc.Encrypt(w.t[:], w.nblk[:])
	subtle.XORBytes(w.delta[:], tA, t2[:])
	subtle.XORBytes(w.delta[:], w.delta[:], w.t[:])
}

func mustAES(key []byte) cipher.Block {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic("onion: aes key size") // unreachable: keys are 32 bytes
	}
	return b
}

// nonce sets w.nblk[0:12] to N(t) and w.nblk[12:16] to the counter 1, so
// w.nblk is J0 and w.nblk[:12] the GCM nonce.
func (w *wideBlock) nonce(t []byte) {
	w.kn.Encrypt(w.nblk[:], t)
	w.nblk[12], w.nblk[13], w.nblk[14], w.nblk[gcmCounter1] = 0, 0, 0, 1
}

// slow enciphers body in place under tweak.
func (w *wideBlock) slow(body *[BodySize]byte, tweak *[wbTweakSize]byte) {
	x := body[TagSize:]
	copy(w.aad[:wbTweakSize], tweak[:])
	copy(w.aad[wbTweakSize:], x)
	tag := w.gcm.Seal(w.out[:0], w.n0[:], nil, w.aad[:])
	xorBlock(&w.h, (*[TagSize]byte)(tag), &w.delta)
	t := (*[TagSize]byte)(body[:TagSize])
	xorBlock(&w.t, t, &w.h)
	w.kt.Encrypt(w.t[:], w.t[:])
	xorBlock(t, &w.t, &w.h)
	w.nonce(t[:])
	ks := w.gcm.Seal(w.out[:0], w.nblk[:wbNonceSize], wbZeros[:], nil)
	subtle.XORBytes(x, x, ks[:wbRest])
}

// wbZeros is the plaintext whose GCM encryption is the bare keystream.
var wbZeros [wbKSSize]byte

// fast deciphers body in place under tweak: the inverse of slow.
func (w *wideBlock) fast(body *[BodySize]byte, tweak *[wbTweakSize]byte) {
	x := body[TagSize:]
	t := (*[TagSize]byte)(body[:TagSize])
	w.nonce(t[:])
	sealed := w.gcm.Seal(w.out[:0], w.nblk[:wbNonceSize], x, tweak[:])
	copy(x, sealed[:wbRest])
	w.kc.Encrypt(w.t[:], w.nblk[:])
	xorBlock(&w.h, (*[TagSize]byte)(sealed[wbRest:]), &w.t)
	xorBlock(&w.t, t, &w.h)
	w.kt.Decrypt(w.t[:], w.t[:])
	xorBlock(t, &w.t, &w.h)
}

// xorBlock sets dst = a ⊕ b for one block, in two word operations: the
// per-cell path runs several, and subtle.XORBytes costs a call and length
// checks each time. dst may alias a or b.
func xorBlock(dst, a, b *[TagSize]byte) {
	lo := binary.LittleEndian.Uint64(a[:8]) ^ binary.LittleEndian.Uint64(b[:8])
	hi := binary.LittleEndian.Uint64(a[8:]) ^ binary.LittleEndian.Uint64(b[8:])
	binary.LittleEndian.PutUint64(dst[:8], lo)
	binary.LittleEndian.PutUint64(dst[8:], hi)
}
