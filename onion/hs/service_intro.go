package hs

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/flynn/noise"
)

// IntroKeys are the service's keys for one introduction point: the auth key
// that ESTABLISH_INTRO signs with and INTRODUCE names, and the NK key
// INTRODUCE handshakes are made to. Fresh for every introduction point.
type IntroKeys struct {
	Auth ed25519.PrivateKey
	NK   noise.DHKey
}

// NewIntroKeys draws fresh introduction keys.
func NewIntroKeys(rand io.Reader) (*IntroKeys, error) {
	_, auth, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	nk, err := noise.DH25519.GenerateKeypair(rand)
	if err != nil {
		return nil, err
	}
	return &IntroKeys{Auth: auth, NK: nk}, nil
}

// AuthKey returns the public auth key.
func (k *IntroKeys) AuthKey() [32]byte { return [32]byte(k.Auth.Public().(ed25519.PublicKey)) }

// Point returns the descriptor entry of this introduction point at relay.
func (k *IntroKeys) Point(relay []byte) IntroPoint {
	return IntroPoint{Relay: relay, AuthKey: k.AuthKey(), NKKey: [32]byte(k.NK.Public)}
}

// Introduction is an INTRODUCE2 the service accepted: where to meet the
// client, and the handshake state to answer it with.
type Introduction struct {
	Time       time.Time
	Period     uint64
	Cookie     Cookie
	RP         []byte
	RPOnionKey [32]byte
	Effort     uint8 // verified proof-of-work effort, 0 if none
	pow        PoWSolution
	hs         *noise.HandshakeState
}

// ServiceIntro opens INTRODUCE2s arriving at one introduction point.
type ServiceIntro struct {
	Service PublicKey
	Keys    *IntroKeys
	Replay  *ReplayCache
	// Seeds returns the PoW seed whose first bytes are head, if current.
	Seeds func(head [4]byte) ([32]byte, bool)
	// PeriodLength is the network's period length; 0 means the default.
	PeriodLength time.Duration
	// Rand draws the ephemeral keys of the service's answers.
	Rand io.Reader
}

func (s *ServiceIntro) periodLength() time.Duration {
	if s.PeriodLength <= 0 {
		return DefaultPeriodLength
	}
	return s.PeriodLength
}

// Open checks and decrypts an INTRODUCE2, in order of cost: layout and auth
// key, a replay of the ephemeral key, the Noise decryption (one X25519),
// the time window, the replay cache insertion, and last the proof of work
// (one Argon2id). The replay cache holds only handshakes that decrypted,
// so nobody but the intro point's clients can fill it.
func (s *ServiceIntro) Open(msg []byte, now time.Time) (*Introduction, error) {
	if len(msg) != Introduce1Size {
		return nil, fmt.Errorf("%w: introduce of %d bytes", ErrMalformed, len(msg))
	}
	auth := s.Keys.AuthKey()
	e := [32]byte(msg[32:64])
	if [32]byte(msg[:32]) != auth {
		return nil, fmt.Errorf("%w: introduce for another auth key", ErrMalformed)
	}
	if s.Replay.Seen(auth, e, now) {
		return nil, ErrReplay
	}
	in, err := s.decrypt(msg[32:])
	if err != nil {
		return nil, err
	}
	if err := s.Replay.Add(auth, e, in.Time, now); err != nil {
		return nil, err
	}
	if err := s.checkPoW(in, e); err != nil {
		return nil, err
	}
	return in, nil
}

func (s *ServiceIntro) decrypt(noiseMsg []byte) (*Introduction, error) {
	auth := s.Keys.AuthKey()
	hs, err := noise.NewHandshakeState(noise.Config{
		CipherSuite: cipherSuite, Pattern: noise.HandshakeNK, Initiator: false,
		Prologue: introPrologueFor(s.Service, auth), StaticKeypair: s.Keys.NK, Random: s.Rand,
	})
	if err != nil {
		return nil, err
	}
	p, _, _, err := hs.ReadMessage(nil, noiseMsg)
	if err != nil {
		return nil, ErrIntroduceDecrypt
	}
	in, err := parseIntroPayload(p)
	if err != nil {
		return nil, err
	}
	in.hs = hs
	return in, nil
}

// appendPayload encodes the INTRODUCE payload of in.
func (in *Introduction) appendPayload(p []byte) []byte {
	p = binary.BigEndian.AppendUint64(p, uint64(in.Time.Unix()))
	p = binary.BigEndian.AppendUint64(p, in.Period)
	p = append(p, in.Cookie[:]...)
	p = append(p, byte(len(in.RP)))
	p = append(p, in.RP...)
	p = append(p, make([]byte, MaxRelayID-len(in.RP))...)
	p = append(p, in.RPOnionKey[:]...)
	p = append(p, in.pow.Effort)
	p = append(p, in.pow.SeedHead[:]...)
	return append(p, in.pow.Nonce[:]...)
}

func parseIntroPayload(p []byte) (*Introduction, error) {
	if len(p) != IntroPayloadSize {
		return nil, fmt.Errorf("%w: introduce payload", ErrMalformed)
	}
	r := reader{b: p}
	in := &Introduction{Time: time.Unix(int64(r.u64()), 0).UTC(), Period: r.u64()}
	r.copy(in.Cookie[:])
	n := int(r.byte())
	rp := r.take(MaxRelayID)
	if n == 0 || n > MaxRelayID || !allZero(rp[n:]) {
		return nil, fmt.Errorf("%w: rendezvous id", ErrMalformed)
	}
	in.RP = append([]byte(nil), rp[:n]...)
	r.copy(in.RPOnionKey[:])
	in.Effort = r.byte()
	in.pow = PoWSolution{Effort: in.Effort}
	r.copy(in.pow.SeedHead[:])
	r.copy(in.pow.Nonce[:])
	return in, nil
}

func (s *ServiceIntro) checkPoW(in *Introduction, e [32]byte) error {
	if in.Effort == 0 {
		return nil
	}
	seed, ok := s.Seeds(in.pow.SeedHead)
	if !ok || in.Effort > MaxPoWEffort {
		return ErrBadPoW
	}
	blinded, err := s.Service.Blind(Period{Num: in.Period, Length: s.periodLength()})
	if err != nil {
		return err
	}
	ch := PoWChallenge{Blinded: blinded, Period: in.Period, Seed: seed, AuthKey: s.Keys.AuthKey(),
		Ephemeral: e, Time: uint64(in.Time.Unix())}
	if !ch.Verify(in.pow) {
		return ErrBadPoW
	}
	return nil
}

// Rendezvous1 answers an accepted introduction: the RENDEZVOUS1 message to
// send to the rendezvous point on a new circuit, and the service's end of
// the end-to-end layer. It may be called once.
func (in *Introduction) Rendezvous1() ([]byte, *E2E, error) {
	if in.hs == nil {
		return nil, nil, fmt.Errorf("%w: introduction already answered", ErrRendezvous)
	}
	hs := in.hs
	in.hs = nil
	out := append(make([]byte, 0, CookieSize+Rendezvous2Size), in.Cookie[:]...)
	out, cs1, cs2, err := hs.WriteMessage(out, nil)
	if err != nil {
		return nil, nil, err
	}
	return out, newE2E(cs1, cs2, hs.ChannelBinding(), false), nil
}
