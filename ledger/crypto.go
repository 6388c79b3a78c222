package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Blind Diffie-Hellman key exchange on secp256k1, NUT-00 "Cryptography and
// Models". Notation follows the spec: mint key k with public K = kG, secret
// x, Y = hash_to_curve(x), blinding factor r, blinded message B_ = Y + rG,
// blind signature C_ = kB_, unblinded signature C = C_ - rK = kY.

// domainSeparator is the NUT-00 hash_to_curve prefix.
const domainSeparator = "Secp256k1_HashToCurve_Cashu_"

// errNoPoint cannot happen in practice: each try succeeds with probability
// about 1/2, and NUT-00 bounds the loop at 2^16 tries.
var errNoPoint = errors.New("ledger: hash_to_curve found no point")

// HashToCurve maps a secret to a curve point (NUT-00 hash_to_curve):
// msg_hash = SHA256(domainSeparator || x), then for counter = 0, 1, ... try
// the x-coordinate SHA256(msg_hash || counter) with the even-y prefix 0x02.
// The counter is 4 bytes little-endian, as the spec's reference code writes
// it; the even prefix makes Y unique for a given x.
func HashToCurve(x []byte) (*secp256k1.PublicKey, error) {
	msgHash := sha256.Sum256(append([]byte(domainSeparator), x...))
	var buf [36]byte
	copy(buf[:32], msgHash[:])
	cand := [33]byte{0x02}
	for counter := uint32(0); counter < 1<<16; counter++ {
		binary.LittleEndian.PutUint32(buf[32:], counter)
		h := sha256.Sum256(buf[:])
		copy(cand[1:], h[:])
		if pk, err := secp256k1.ParsePubKey(cand[:]); err == nil {
			return pk, nil
		}
	}
	return nil, errNoPoint
}

// Blind returns B_ = Y + rG for the secret x and blinding factor r.
func Blind(x []byte, r *secp256k1.ModNScalar) (*secp256k1.PublicKey, error) {
	y, err := HashToCurve(x)
	if err != nil {
		return nil, err
	}
	var yj, rg, out secp256k1.JacobianPoint
	y.AsJacobian(&yj)
	secp256k1.ScalarBaseMultNonConst(r, &rg)
	secp256k1.AddNonConst(&yj, &rg, &out)
	return affine(&out)
}

// Sign returns the blind signature C_ = kB_.
func Sign(k *secp256k1.ModNScalar, b *secp256k1.PublicKey) *secp256k1.PublicKey {
	return mul(k, b)
}

// Unblind returns C = C_ - rK.
func Unblind(c *secp256k1.PublicKey, r *secp256k1.ModNScalar, k *secp256k1.PublicKey) (*secp256k1.PublicKey, error) {
	var neg secp256k1.ModNScalar
	neg.NegateVal(r)
	var cj, rk, out secp256k1.JacobianPoint
	c.AsJacobian(&cj)
	mul(&neg, k).AsJacobian(&rk)
	secp256k1.AddNonConst(&cj, &rk, &out)
	return affine(&out)
}

// Verify reports whether C == k·hash_to_curve(x): the mint's check of a
// spent proof. Only the mint, holding k, can run it; others use DLEQ.
func Verify(k *secp256k1.ModNScalar, x []byte, c *secp256k1.PublicKey) bool {
	y, err := HashToCurve(x)
	if err != nil {
		return false
	}
	return mul(k, y).IsEqual(c)
}

func mul(k *secp256k1.ModNScalar, p *secp256k1.PublicKey) *secp256k1.PublicKey {
	var pj, out secp256k1.JacobianPoint
	p.AsJacobian(&pj)
	secp256k1.ScalarMultNonConst(k, &pj, &out)
	out.ToAffine()
	return secp256k1.NewPublicKey(&out.X, &out.Y)
}

// affine converts to a public key, refusing the point at infinity (which a
// hostile r or B_ could produce and which has no encoding).
func affine(p *secp256k1.JacobianPoint) (*secp256k1.PublicKey, error) {
	if (p.X.IsZero() && p.Y.IsZero()) || p.Z.IsZero() {
		return nil, ErrMalformed
	}
	p.ToAffine()
	return secp256k1.NewPublicKey(&p.X, &p.Y), nil
}
