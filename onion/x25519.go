package onion

import (
	"crypto/ecdh"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/flynn/noise"
)

// x25519 is noise.DH25519 for one handshake, minus the wasted work.
//
// noise hands its DH function raw private-key bytes, and crypto/ecdh, which
// both noise.DH25519 and x/crypto/curve25519 end up in, recomputes the
// public key (a full scalar multiplication) whenever it parses a private
// key. That doubled the cost of every DH: 12 scalar multiplications per NK
// handshake where 6 are needed, about 1.1 ms of CPU per hop. This DH keeps
// the parsed keys it generated or was given and looks them up by value.
// The name stays "25519", so the protocol name, the handshake hash and
// every derived key are exactly those of Noise_NK_25519_ChaChaPoly_BLAKE2s
// (testdata/handshake.json pins them).
//
// Randomness: 32 bytes are read from the caller's reader and used as the
// private key, as noise.DH25519 does; ecdh's own GenerateKey would ignore
// the reader and break deterministic test vectors.
type x25519 struct {
	keys []*ecdh.PrivateKey // at most the static key and one ephemeral
}

var _ noise.DHFunc = (*x25519)(nil)

// newSuite returns the handshake's cipher suite with a fresh x25519 that
// already holds static (nil for the client, which has no static key).
func newSuite(static *ecdh.PrivateKey) noise.CipherSuite {
	dh := &x25519{}
	if static != nil {
		dh.keys = append(dh.keys, static)
	}
	return noise.NewCipherSuite(dh, noise.CipherChaChaPoly, noise.HashBLAKE2s)
}

func (x *x25519) GenerateKeypair(r io.Reader) (noise.DHKey, error) {
	var seed [32]byte
	if _, err := io.ReadFull(r, seed[:]); err != nil {
		return noise.DHKey{}, err
	}
	k, err := ecdh.X25519().NewPrivateKey(seed[:])
	if err != nil {
		return noise.DHKey{}, err
	}
	x.keys = append(x.keys, k)
	return noise.DHKey{Private: k.Bytes(), Public: k.PublicKey().Bytes()}, nil
}

func (x *x25519) DH(priv, pub []byte) ([]byte, error) {
	k, err := x.key(priv)
	if err != nil {
		return nil, err
	}
	p, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return k.ECDH(p)
}

// key returns the parsed key for priv, parsing it only if unknown.
func (x *x25519) key(priv []byte) (*ecdh.PrivateKey, error) {
	for _, k := range x.keys {
		if subtle.ConstantTimeCompare(k.Bytes(), priv) == 1 {
			return k, nil
		}
	}
	k, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("onion: x25519 key: %w", err)
	}
	return k, nil
}

func (x *x25519) DHLen() int     { return 32 }
func (x *x25519) DHName() string { return "25519" }
