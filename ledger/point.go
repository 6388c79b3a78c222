package ledger

import (
	"encoding/hex"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Point is a secp256k1 point in the 33-byte compressed SEC1 form that every
// Cashu message uses (NUT-00, NUT-01). JSON carries it as lower-case hex.
type Point [33]byte

// Scalar is a 32-byte big-endian integer modulo the group order, as used
// for DLEQ e, s and the blinding factor r (NUT-12). JSON carries it as hex.
type Scalar [32]byte

// PointOf returns the compressed form of p.
func PointOf(p *secp256k1.PublicKey) Point {
	var out Point
	copy(out[:], p.SerializeCompressed())
	return out
}

// ParsePoint decodes a compressed point and checks that it lies on the
// curve. The point at infinity cannot be encoded and is refused.
func ParsePoint(b []byte) (*secp256k1.PublicKey, error) {
	if len(b) != 33 || (b[0] != 2 && b[0] != 3) {
		return nil, fmt.Errorf("%w: point must be 33 compressed bytes", ErrMalformed)
	}
	pk, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: point not on curve", ErrMalformed)
	}
	return pk, nil
}

// Key returns the parsed public key of p.
func (p Point) Key() (*secp256k1.PublicKey, error) { return ParsePoint(p[:]) }

// String returns p as hex.
func (p Point) String() string { return hex.EncodeToString(p[:]) }

// MarshalText encodes p as hex.
func (p Point) MarshalText() ([]byte, error) { return hexText(p[:]), nil }

// UnmarshalText decodes hex; the curve check is left to Key.
func (p *Point) UnmarshalText(b []byte) error { return unhexInto(p[:], b, "point") }

// String returns s as hex.
func (s Scalar) String() string { return hex.EncodeToString(s[:]) }

// MarshalText encodes s as hex.
func (s Scalar) MarshalText() ([]byte, error) { return hexText(s[:]), nil }

// UnmarshalText decodes hex.
func (s *Scalar) UnmarshalText(b []byte) error { return unhexInto(s[:], b, "scalar") }

// modN returns s as a field scalar, reporting whether it was < N.
func (s Scalar) modN() (secp256k1.ModNScalar, bool) {
	var k secp256k1.ModNScalar
	overflow := k.SetBytes((*[32]byte)(&s))
	return k, overflow == 0
}

func scalarOf(k *secp256k1.ModNScalar) Scalar { return Scalar(k.Bytes()) }

func hexText(b []byte) []byte {
	out := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(out, b)
	return out
}

func unhexInto(dst, src []byte, what string) error {
	if hex.DecodedLen(len(src)) != len(dst) {
		return fmt.Errorf("%w: %s must be %d hex bytes", ErrMalformed, what, len(dst))
	}
	if _, err := hex.Decode(dst, src); err != nil {
		return fmt.Errorf("%w: %s is not hex", ErrMalformed, what)
	}
	return nil
}
