package hs

// The end-to-end layer between client and service, carried in E2E cells
// through the rendezvous point, which relays them but cannot read, alter,
// drop, reorder or replay them unnoticed. Each E2E cell's data is exactly
// MaxMessage bytes:
//
//	ciphertext 472  ChaCha20-Poly1305 of the inner message below
//	tag        16
//
// The nonce is a per-direction counter (4 zero bytes ‖ 8-byte big-endian
// count), never sent: a cell out of order fails like a forged one. Inner
// message, always padded, so cell sizes tell the point nothing:
//
//	cmd      1    the endpoints' own command (the network side uses
//	              onion's stream commands: BEGIN, DATA, END, SENDME …)
//	streamID 2
//	length   2    ≤ MaxE2EData
//	data     length, then zeros up to 467 bytes
//
// Keys: HKDF-SHA256 with IKM = k1 ‖ k2 (the Noise Split keys), salt = the
// handshake hash, info = e2eDomain: 64 bytes, client→service then
// service→client, as onion's hop keys are derived.

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/flynn/noise"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	e2eDomain   = "cyclecash hs e2e v1"
	e2ePlainLen = MaxMessage - chacha20poly1305.Overhead
	e2eHdrLen   = 1 + 2 + 2
	// MaxE2EData is the payload capacity of one E2E cell.
	MaxE2EData = e2ePlainLen - e2eHdrLen
)

// InnerMsg is one message of the end-to-end layer.
type InnerMsg struct {
	Cmd      uint8
	StreamID uint16
	Data     []byte
}

// E2E is one end of the end-to-end layer. It is not safe for concurrent
// use; each direction's counter advances once per cell.
type E2E struct {
	send, recv       cipher.AEAD
	sendCtr, recvCtr uint64
	broken           bool
}

func newE2E(cs1, cs2 *noise.CipherState, h []byte, client bool) *E2E {
	k1, k2 := cs1.UnsafeKey(), cs2.UnsafeKey()
	keys, err := hkdf.Key(sha256.New, append(k1[:], k2[:]...), h, e2eDomain, 64)
	if err != nil {
		panic(err)
	}
	c2s, _ := chacha20poly1305.New(keys[:32])
	s2c, _ := chacha20poly1305.New(keys[32:])
	if client {
		return &E2E{send: c2s, recv: s2c}
	}
	return &E2E{send: s2c, recv: c2s}
}

func e2eNonce(ctr uint64) []byte {
	n := make([]byte, chacha20poly1305.NonceSize)
	binary.BigEndian.PutUint64(n[4:], ctr)
	return n
}

// Seal returns the MaxMessage bytes of the E2E cell carrying m.
func (e *E2E) Seal(m InnerMsg) ([]byte, error) {
	if len(m.Data) > MaxE2EData {
		return nil, fmt.Errorf("%w: %d bytes of e2e data", ErrMalformed, len(m.Data))
	}
	if e.sendCtr == math.MaxUint64 {
		return nil, ErrE2E
	}
	p := make([]byte, e2ePlainLen, MaxMessage)
	p[0] = m.Cmd
	binary.BigEndian.PutUint16(p[1:], m.StreamID)
	binary.BigEndian.PutUint16(p[3:], uint16(len(m.Data)))
	copy(p[e2eHdrLen:], m.Data)
	out := e.send.Seal(p[:0], e2eNonce(e.sendCtr), p, nil)
	e.sendCtr++
	return out, nil
}

// Open authenticates and decrypts the next E2E cell. After one failure
// every later cell fails too: the caller must close the circuits.
func (e *E2E) Open(b []byte) (InnerMsg, error) {
	if e.broken || len(b) != MaxMessage {
		e.broken = true
		return InnerMsg{}, ErrE2E
	}
	p, err := e.recv.Open(nil, e2eNonce(e.recvCtr), b, nil)
	if err != nil {
		e.broken = true
		return InnerMsg{}, ErrE2E
	}
	e.recvCtr++
	n := int(binary.BigEndian.Uint16(p[3:]))
	if n > MaxE2EData || !allZero(p[e2eHdrLen+n:]) {
		e.broken = true
		return InnerMsg{}, ErrE2E
	}
	return InnerMsg{Cmd: p[0], StreamID: binary.BigEndian.Uint16(p[1:]), Data: p[e2eHdrLen : e2eHdrLen+n]}, nil
}
