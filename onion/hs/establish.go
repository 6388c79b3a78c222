package hs

// ESTABLISH_INTRO (service → intro point), after rend-spec-v3 §3.1.1:
//
//	authKey 32  the Ed25519 auth key this circuit answers for
//	rate    4   INTRODUCE2s per second the intro point may forward (0: its default)
//	burst   4   bucket size of that limit
//	sig     64  Ed25519 by authKey over establishDomain ‖ SHA-256(bind) ‖ bytes [0, 40)
//
// bind is a value both the service and the intro point know about this
// circuit's last hop and nobody else does (the network side passes that
// hop's handshake hash): a captured ESTABLISH_INTRO cannot be replayed on
// another circuit to steal the service's introductions.

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
)

const (
	// EstablishIntroSize is the size of ESTABLISH_INTRO.
	EstablishIntroSize = 32 + 4 + 4 + 64
	establishDomain    = "cyclecash hs establish intro v1"
)

// EstablishIntro is a parsed, verified ESTABLISH_INTRO.
type EstablishIntro struct {
	AuthKey     [32]byte
	Rate, Burst uint32
}

func establishSigned(bind []byte, head []byte) []byte {
	h := sha256.Sum256(bind)
	m := append([]byte(establishDomain), h[:]...)
	return append(m, head...)
}

// NewEstablishIntro returns ESTABLISH_INTRO for keys on the circuit bind
// names.
func NewEstablishIntro(keys *IntroKeys, bind []byte, rate, burst uint32) []byte {
	auth := keys.AuthKey()
	b := append(make([]byte, 0, EstablishIntroSize), auth[:]...)
	b = binary.BigEndian.AppendUint32(b, rate)
	b = binary.BigEndian.AppendUint32(b, burst)
	return append(b, ed25519.Sign(keys.Auth, establishSigned(bind, b))...)
}

// ParseEstablishIntro parses and verifies ESTABLISH_INTRO as the intro point
// that knows bind for the circuit it arrived on.
func ParseEstablishIntro(b, bind []byte) (EstablishIntro, error) {
	if len(b) != EstablishIntroSize {
		return EstablishIntro{}, fmt.Errorf("%w: establish intro of %d bytes", ErrMalformed, len(b))
	}
	if !ed25519.Verify(b[:32], establishSigned(bind, b[:40]), b[40:]) {
		return EstablishIntro{}, ErrBadSignature
	}
	return EstablishIntro{
		AuthKey: [32]byte(b[:32]),
		Rate:    binary.BigEndian.Uint32(b[32:]),
		Burst:   binary.BigEndian.Uint32(b[36:]),
	}, nil
}

// EstablishIntro returns the ESTABLISH_INTRO for one of s's introduction
// points on the circuit bind names. It asks for the point's caps, not its
// default rate: the point cannot see proofs of work, so a low rate there
// would refuse paying clients during a flood before the effort-ordered
// queue ranks them (Tor's services, too, leave the intro-point rate limit
// off unless configured: HiddenServiceEnableIntroDoSDefense).
func (s *Service) EstablishIntro(keys *IntroKeys, bind []byte) []byte {
	return NewEstablishIntro(keys, bind, math.MaxUint32, math.MaxUint32)
}
