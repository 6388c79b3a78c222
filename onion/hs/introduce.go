package hs

// INTRODUCE1 (client → intro point) and INTRODUCE2 (intro point → service,
// the same bytes):
//
//	authKey 32   names the service's circuit at the intro point
//	e       32   Noise NK message 1: the client's ephemeral key, then
//	payload IntroPayloadSize+16  the payload below, encrypted with the es key
//
// The handshake is Noise_NK_25519_ChaChaPoly_BLAKE2s to the intro point's
// NK key from the descriptor, prologue = introPrologue ‖ identity key ‖
// authKey: an INTRODUCE for one service or intro point does not open at
// another. The service answers with message 2 in RENDEZVOUS1. Payload:
//
//	time      8   client's clock, Unix seconds rounded down to a multiple of
//	              IntroTimeGranularity (the replay window; coarse so the
//	              service cannot fingerprint the client by its clock skew)
//	period    8   number of the period whose descriptor the client used
//	cookie    20  the client's rendezvous cookie
//	rpLen     1   1..MaxRelayID
//	rp        MaxRelayID  rendezvous relay's peer ID bytes, zero padded
//	rpOnion   32  its X25519 onion key (the service extends to it)
//	powEffort 1   0 = no proof of work
//	powSeed   4   first bytes of the descriptor's PoW seed
//	powNonce  16  (pow.go: the proof is bound to e)

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/flynn/noise"
)

const (
	// IntroPayloadSize is the plaintext size of an INTRODUCE payload.
	IntroPayloadSize = 8 + 8 + CookieSize + 1 + MaxRelayID + 32 + 1 + 4 + 16
	// Introduce1Size is the size of every INTRODUCE1.
	Introduce1Size = 32 + 32 + IntroPayloadSize + 16
	// Rendezvous2Size is the Noise message 2 in RENDEZVOUS1/2.
	Rendezvous2Size = 32 + 16

	introPrologue = "cyclecash hs introduce v1"

	// IntroTimeGranularity is the precision of an INTRODUCE's timestamp:
	// fine enough for the replay window (DefaultReplayWindow), too coarse to
	// tell clients apart by the skew of their clocks (Tor's v3 INTRODUCE
	// carries no time at all; ours bounds the replay cache instead).
	IntroTimeGranularity = 10 * time.Minute
)

var cipherSuite = noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashBLAKE2s)

func introPrologueFor(service PublicKey, authKey [32]byte) []byte {
	p := append([]byte(introPrologue), service[:]...)
	return append(p, authKey[:]...)
}

// IntroduceRequest is what a client puts in an INTRODUCE.
type IntroduceRequest struct {
	Service    PublicKey  // from the address
	Intro      IntroPoint // from the descriptor
	Period     Period     // of the descriptor
	Time       time.Time  // the client's clock
	Cookie     Cookie
	RP         []byte   // rendezvous relay's peer ID bytes
	RPOnionKey [32]byte // its onion key
}

// ClientIntro is a client's half-made introduction: the ephemeral key is
// drawn first so a proof of work can be bound to it.
type ClientIntro struct {
	req IntroduceRequest
	e   noise.DHKey
	hs  *noise.HandshakeState
}

// NewClientIntro starts an introduction.
func NewClientIntro(req IntroduceRequest, rand io.Reader) (*ClientIntro, error) {
	if len(req.RP) == 0 || len(req.RP) > MaxRelayID {
		return nil, fmt.Errorf("%w: rendezvous id of %d bytes", ErrMalformed, len(req.RP))
	}
	var priv [32]byte
	if _, err := io.ReadFull(rand, priv[:]); err != nil {
		return nil, err
	}
	e, err := noise.DH25519.GenerateKeypair(bytes.NewReader(priv[:]))
	if err != nil {
		return nil, err
	}
	// flynn/noise draws the ephemeral from Random when writing message 1;
	// handing it the same 32 bytes makes it the key drawn here (checked
	// in Introduce1).
	hs, err := noise.NewHandshakeState(noise.Config{
		CipherSuite: cipherSuite, Pattern: noise.HandshakeNK, Initiator: true,
		Prologue: introPrologueFor(req.Service, req.Intro.AuthKey), PeerStatic: req.Intro.NKKey[:],
		Random: bytes.NewReader(priv[:]),
	})
	if err != nil {
		return nil, err
	}
	return &ClientIntro{req: req, e: e, hs: hs}, nil
}

// Challenge returns the proof-of-work challenge of this introduction.
func (c *ClientIntro) Challenge(seed [32]byte) (PoWChallenge, error) {
	b, err := c.req.Service.Blind(c.req.Period)
	if err != nil {
		return PoWChallenge{}, err
	}
	return PoWChallenge{Blinded: b, Period: c.req.Period.Num, Seed: seed,
		AuthKey: c.req.Intro.AuthKey, Ephemeral: [32]byte(c.e.Public), Time: uint64(coarseTime(c.req.Time).Unix())}, nil
}

// Introduce1 returns the INTRODUCE1 message, with pow (zero value: none).
func (c *ClientIntro) Introduce1(pow PoWSolution) ([]byte, error) {
	in := Introduction{Time: coarseTime(c.req.Time), Period: c.req.Period.Num, Cookie: c.req.Cookie,
		RP: c.req.RP, RPOnionKey: c.req.RPOnionKey, Effort: pow.Effort, pow: pow}
	p := in.appendPayload(make([]byte, 0, IntroPayloadSize))
	out := append(make([]byte, 0, Introduce1Size), c.req.Intro.AuthKey[:]...)
	out, _, _, err := c.hs.WriteMessage(out, p)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(out[32:64], c.e.Public) {
		return nil, fmt.Errorf("hs: noise drew another ephemeral key")
	}
	return out, nil
}

func coarseTime(t time.Time) time.Time {
	g := int64(IntroTimeGranularity / time.Second)
	u := t.Unix()
	return time.Unix(u-((u%g)+g)%g, 0).UTC()
}

// Rendezvous2 completes the handshake with the service's RENDEZVOUS2 and
// returns the client's end of the end-to-end layer. A RENDEZVOUS2 that was
// not made by the holder of the NK key fails with ErrRendezvous.
func (c *ClientIntro) Rendezvous2(msg []byte) (*E2E, error) {
	if len(msg) != Rendezvous2Size {
		return nil, fmt.Errorf("%w: %d bytes", ErrRendezvous, len(msg))
	}
	_, cs1, cs2, err := c.hs.ReadMessage(nil, msg)
	if err != nil || cs1 == nil {
		return nil, ErrRendezvous
	}
	return newE2E(cs1, cs2, c.hs.ChannelBinding(), true), nil
}
