package ledger

import (
	"crypto/sha256"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// BIP340 Schnorr signatures over secp256k1, as NUT-20 uses them to lock a
// mint quote to a key. Public keys are x-only (the even-y point with that
// x); a 33-byte compressed key is used through its x coordinate.

func taggedHash(tag string, parts ...[]byte) [32]byte {
	t := sha256.Sum256([]byte(tag))
	h := sha256.New()
	h.Write(t[:])
	h.Write(t[:])
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// liftX returns the point with x coordinate x and even y, or nil.
func liftX(x []byte) *secp256k1.PublicKey {
	p, err := secp256k1.ParsePubKey(append([]byte{0x02}, x...))
	if err != nil {
		return nil
	}
	return p
}

// challenge is e = H_challenge(r ‖ P.x ‖ m) mod n.
func challenge(r, px []byte, msg [32]byte) secp256k1.ModNScalar {
	h := taggedHash("BIP0340/challenge", r, px, msg[:])
	var e secp256k1.ModNScalar
	e.SetByteSlice(h[:])
	return e
}

// VerifySchnorr checks a 64-byte BIP340 signature on the 32-byte message
// msg by the key pub (x-only, or compressed with its parity ignored).
func VerifySchnorr(pub []byte, msg [32]byte, sig []byte) bool {
	if len(pub) == 33 {
		pub = pub[1:]
	}
	if len(pub) != 32 || len(sig) != 64 {
		return false
	}
	p := liftX(pub)
	var rx secp256k1.FieldVal
	var s secp256k1.ModNScalar
	if p == nil || rx.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
		return false
	}
	e := challenge(sig[:32], pub, msg)
	e.Negate()
	var sg, pj, ep, r secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&s, &sg)
	p.AsJacobian(&pj)
	secp256k1.ScalarMultNonConst(&e, &pj, &ep)
	secp256k1.AddNonConst(&sg, &ep, &r)
	if (r.X.IsZero() && r.Y.IsZero()) || r.Z.IsZero() {
		return false
	}
	r.ToAffine()
	return !r.Y.IsOdd() && r.X.Equals(&rx)
}

// SignSchnorr makes a BIP340 signature on msg with the secret key d and
// 32 bytes of auxiliary randomness aux.
func SignSchnorr(d *secp256k1.ModNScalar, msg [32]byte, aux [32]byte) []byte {
	var pj secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(d, &pj)
	pj.ToAffine()
	dd := *d
	if pj.Y.IsOdd() {
		dd.Negate()
	}
	px := pj.X.Bytes()
	db := dd.Bytes()
	t := taggedHash("BIP0340/aux", aux[:])
	for i := range t {
		t[i] ^= db[i]
	}
	kh := taggedHash("BIP0340/nonce", t[:], px[:], msg[:])
	var k secp256k1.ModNScalar
	k.SetByteSlice(kh[:])
	var rj secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&k, &rj)
	rj.ToAffine()
	if rj.Y.IsOdd() {
		k.Negate()
	}
	rx := rj.X.Bytes()
	e := challenge(rx[:], px[:], msg)
	s := new(secp256k1.ModNScalar).Mul2(&e, &dd).Add(&k)
	sb := s.Bytes()
	return append(rx[:], sb[:]...)
}
