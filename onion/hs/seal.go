package hs

// The descriptor as stored in the DHT (all integers big-endian):
//
//	version    1   DescriptorVersion
//	blinded    32  the period's blinded public key
//	periodNum  8   period number
//	periodLen  4   period length in seconds
//	revision   8   higher replaces lower within one period (the directory
//	               keeps the highest); offset per period so the two periods
//	               a service publishes at once do not match (revision.go)
//	expiry     8   Unix seconds (Service rounds it to the hour)
//	ctLen      2   = InnerSize + 16
//	nonce      24  XChaCha20-Poly1305 nonce, random
//	ciphertext ctLen   the inner part (descriptor.go), AD = bytes [0, nonce end)
//	signature  64  Ed25519 by the blinded key over sigDomain ‖ bytes [0, ct end)
//
// A directory checks everything in clear with the blinded key alone. The
// encryption key needs the identity key (the address), after rend-spec-v3
// §2.5.3's "credential": HKDF-SHA256 with IKM = identity public key,
// salt = blinded key, info = keyDomain ‖ periodNum ‖ periodLen. The blinded
// key does not yield the identity key, so a directory (or anyone enumerating
// the DHT) learns neither the introduction points nor the address.

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// DescriptorVersion is the outer version byte.
	DescriptorVersion = 1
	// MaxDescriptorSize bounds a stored descriptor.
	MaxDescriptorSize = 2048

	outerHeaderLen = 1 + 32 + 8 + 4 + 8 + 8 + 2
	nonceLen       = chacha20poly1305.NonceSizeX
	ctLen          = InnerSize + chacha20poly1305.Overhead
	// DescriptorSize is the length of every descriptor this version makes.
	DescriptorSize = outerHeaderLen + nonceLen + ctLen + 64

	sigDomain = "cyclecash hs descriptor signature v1"
	keyDomain = "cyclecash hs descriptor key v1"
)

// Outer is the signed clear part of a stored descriptor.
type Outer struct {
	Blinded  BlindedKey
	Period   Period
	Revision uint64
	Expiry   time.Time
	raw      []byte // the whole descriptor, verified
}

// Seal encrypts d to id's address and signs it with the period's blinded
// key, filling d.Blinded. Randomness (the nonce) comes from rand.
func (d *Descriptor) Seal(id *IdentityKey, rand io.Reader) ([]byte, error) {
	if d.Period.Length < time.Second || d.Period.Length%time.Second != 0 {
		return nil, fmt.Errorf("%w: period length %v", ErrMalformed, d.Period.Length)
	}
	signer := id.Blind(d.Period)
	d.Blinded = signer.Public()
	b := d.appendHeader(make([]byte, 0, DescriptorSize))
	nonce := make([]byte, nonceLen)
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, err
	}
	b = append(b, nonce...)
	inner, err := d.appendInner(nil)
	if err != nil {
		return nil, err
	}
	b = descriptorAEAD(id.Public(), d.Blinded, d.Period).Seal(b, nonce, inner, b)
	return append(b, signer.Sign(sigInput(b))...), nil
}

func (d *Descriptor) appendHeader(b []byte) []byte {
	b = append(b, DescriptorVersion)
	b = append(b, d.Blinded[:]...)
	b = binary.BigEndian.AppendUint64(b, d.Period.Num)
	b = binary.BigEndian.AppendUint32(b, uint32(d.Period.seconds()))
	b = binary.BigEndian.AppendUint64(b, d.Revision)
	b = binary.BigEndian.AppendUint64(b, uint64(d.Expiry.Unix()))
	return binary.BigEndian.AppendUint16(b, ctLen)
}

func sigInput(signed []byte) []byte {
	return append([]byte(sigDomain), signed...)
}

func descriptorAEAD(pub PublicKey, blinded BlindedKey, p Period) interface {
	Seal(dst, nonce, plaintext, ad []byte) []byte
	Open(dst, nonce, ciphertext, ad []byte) ([]byte, error)
} {
	info := binary.BigEndian.AppendUint64([]byte(keyDomain), p.Num)
	info = binary.BigEndian.AppendUint64(info, p.seconds())
	key, err := hkdf.Key(sha256.New, pub[:], blinded[:], string(info), chacha20poly1305.KeySize)
	if err != nil {
		panic(err)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(err)
	}
	return aead
}

// VerifyOuter parses a stored descriptor and checks its size, layout and
// signature by the blinded key it names. It does not check the period
// against a clock (CheckTime) nor decrypt (Open).
func VerifyOuter(b []byte) (*Outer, error) {
	if len(b) > MaxDescriptorSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	r := reader{b: b}
	if v := r.byte(); v != DescriptorVersion && !r.short {
		return nil, fmt.Errorf("%w: descriptor version %d", ErrBadVersion, v)
	}
	o := &Outer{raw: b}
	r.copy(o.Blinded[:])
	o.Period = Period{Num: r.u64(), Length: time.Duration(r.u32()) * time.Second}
	o.Revision = r.u64()
	o.Expiry = time.Unix(int64(r.u64()), 0).UTC()
	// The length is checked before it is used: a short value claiming
	// 64 KiB must not make the reader allocate that much.
	if n := r.u16(); n != ctLen {
		return nil, fmt.Errorf("%w: ciphertext length %d", ErrMalformed, n)
	}
	r.take(nonceLen + ctLen)
	sig := r.take(64)
	if r.short || len(r.rest()) != 0 || o.Period.Length == 0 {
		return nil, fmt.Errorf("%w: bad descriptor layout", ErrMalformed)
	}
	if !o.Blinded.Verify(sigInput(b[:len(b)-64]), sig) {
		return nil, ErrBadSignature
	}
	return o, nil
}
