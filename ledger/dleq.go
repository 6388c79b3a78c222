package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// DLEQ proofs, NUT-12: the mint proves that the a in A = aG equals the a in
// C_ = aB_, so a receiver can check a signature offline with the public key.

// DLEQ is a proof (e, s); R is the blinding factor r, present only when a
// wallet passes the proof on to another user inside a Proof (NUT-12 "User
// to user").
type DLEQ struct {
	E Scalar  `json:"e"`
	S Scalar  `json:"s"`
	R *Scalar `json:"r,omitempty"`
}

// hashE is NUT-12's hash(R1, R2, A, C_): SHA256 over the concatenated
// lower-case hex of each point in uncompressed (65-byte) form. Odd as it is
// (hashing ASCII hex rather than bytes), it is what the spec and its vectors
// fix.
func hashE(points ...*secp256k1.PublicKey) [32]byte {
	h := sha256.New()
	var buf [130]byte
	for _, p := range points {
		hex.Encode(buf[:], p.SerializeUncompressed())
		h.Write(buf[:])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ProveDLEQ returns (e, s) for private key a with public key A = aG,
// blinded message B_ and signature C_ = aB_, with the nonce m read from
// rand: R1 = mG, R2 = mB_, e = hash(R1, R2, A, C_), s = m + e·a.
func ProveDLEQ(rand io.Reader, a *secp256k1.ModNScalar, pub, b, c *secp256k1.PublicKey) (DLEQ, error) {
	m, err := randomScalar(rand)
	if err != nil {
		return DLEQ{}, err
	}
	var r1 secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&m, &r1)
	r1.ToAffine()
	e := hashE(secp256k1.NewPublicKey(&r1.X, &r1.Y), mul(&m, b), pub, c)
	var es, s secp256k1.ModNScalar
	es.SetBytes(&e)
	s.Mul2(&es, a).Add(&m)
	return DLEQ{E: e, S: scalarOf(&s)}, nil
}

// VerifyDLEQ checks (e, s) against the mint key A, blinded message B_ and
// signature C_: R1 = sG - eA, R2 = sB_ - eC_, e == hash(R1, R2, A, C_).
func VerifyDLEQ(d DLEQ, pub, b, c *secp256k1.PublicKey) bool {
	e, ok1 := d.E.modN()
	s, ok2 := d.S.modN()
	if !ok1 || !ok2 {
		return false
	}
	var negE secp256k1.ModNScalar
	negE.NegateVal(&e)
	var sg secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&s, &sg)
	r1p, err1 := sumPoints(&sg, mulJ(&negE, pub))
	r2p, err2 := sumPoints(mulJ(&s, b), mulJ(&negE, c))
	if err1 != nil || err2 != nil {
		return false
	}
	return hashE(r1p, r2p, pub, c) == [32]byte(d.E)
}

// VerifyProofDLEQ is Carol's check of a received proof (NUT-12 "Carol
// verifies"): with r from the proof, B_ = Y + rG and C_ = C + rA are rebuilt
// and the DLEQ verified. It fails when the proof carries no DLEQ or no r.
func VerifyProofDLEQ(p Proof, pub *secp256k1.PublicKey) bool {
	if p.DLEQ == nil || p.DLEQ.R == nil {
		return false
	}
	r, ok := p.DLEQ.R.modN()
	c, err := p.C.Key()
	if !ok || err != nil {
		return false
	}
	b, err := Blind([]byte(p.Secret), &r)
	if err != nil {
		return false
	}
	var cj secp256k1.JacobianPoint
	c.AsJacobian(&cj)
	cBlind, err := sumPoints(&cj, mulJ(&r, pub))
	if err != nil {
		return false
	}
	return VerifyDLEQ(DLEQ{E: p.DLEQ.E, S: p.DLEQ.S}, pub, b, cBlind)
}

func mulJ(k *secp256k1.ModNScalar, p *secp256k1.PublicKey) *secp256k1.JacobianPoint {
	var pj, out secp256k1.JacobianPoint
	p.AsJacobian(&pj)
	secp256k1.ScalarMultNonConst(k, &pj, &out)
	return &out
}

func sumPoints(a, b *secp256k1.JacobianPoint) (*secp256k1.PublicKey, error) {
	var out secp256k1.JacobianPoint
	secp256k1.AddNonConst(a, b, &out)
	return affine(&out)
}

// randomScalar reads a uniformly random non-zero scalar by rejection.
func randomScalar(rand io.Reader) (secp256k1.ModNScalar, error) {
	var buf [32]byte
	var k secp256k1.ModNScalar
	for {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return k, err
		}
		if overflow := k.SetBytes(&buf); overflow == 0 && !k.IsZero() {
			return k, nil
		}
	}
}

// StripDLEQ returns copies of ps without their DLEQ proofs. Inputs go to
// a mint this way: the blinding factor r in a proof's DLEQ would let the
// mint rebuild the blinded message it signed and link the spend to the
// issue (NUT-12: r is for the receiver, never for the mint).
func StripDLEQ(ps []Proof) []Proof {
	out := make([]Proof, len(ps))
	for i, p := range ps {
		p.DLEQ = nil
		out[i] = p
	}
	return out
}
