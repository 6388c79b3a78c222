package onion

// Per-hop handshake: Noise_NK_25519_ChaChaPoly_BLAKE2s (Noise spec rev. 34,
// §7.4 pattern NK). The client has no static key, so it stays anonymous; it
// knows the relay's static key, the X25519 onion key from the relay's signed
// descriptor, so only the holder of that key can answer. Two messages of
// HandshakeSize bytes each, with empty payloads: -> e, es  and  <- e, ee.
//
// The prologue binds the protocol name (which names CellsVersion), the
// relay's identity and the onion key ID, so a handshake cannot be answered by
// a different relay holding the same onion key, nor moved to another
// protocol, version or key. The CREATE payload also opens with the version
// byte, so a relay of another version refuses it with ErrVersion before any
// key is looked up: cells v1 and v2 never silently fall back to each other.
//
// Hop keys: HKDF-SHA256 (RFC 5869) with IKM = k1 ‖ k2 (Noise Split() keys),
// salt = the handshake hash h, info = hkdfInfo; 224 bytes, sliced into a
// forward and a backward dirKeys (wide-block keys Kc, Kt, Kn 3×32, chain 16;
// see wideblock.go and crypto.go).
// Going through HKDF instead of using k1/k2 directly gives us more than two
// keys and binds all of them to the whole transcript via h.

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/flynn/noise"
)

const (
	// ProtocolName names the link protocol and is bound into every handshake.
	ProtocolName = "/cyclecash/onion/2"
	// HandshakeSize is the size of each Noise NK message (32-byte ephemeral
	// plus the 16-byte AEAD tag of the empty payload).
	HandshakeSize = 32 + 16
	// KeyIDSize is the size of an onion key ID.
	KeyIDSize = 8

	// CREATE payload: version 1 | keyID 8 | Noise message 1 48.
	createVersionOff = 0
	createKeyIDOff   = createVersionOff + 1
	createMsgOff     = createKeyIDOff + KeyIDSize
	createPayloadLen = createMsgOff + HandshakeSize

	hkdfInfo    = "cyclecash onion hop keys v2"
	dirKeysSize = wbKeys + TagSize
)

// KeyID names an onion key: the first 8 bytes of SHA-256 of its public key.
// Eight bytes suffice: a relay holds two or three onion keys at a time and
// the ID only picks one; the prologue binds it, a wrong pick fails the
// handshake.
type KeyID [KeyIDSize]byte

// OnionKeyID returns the KeyID of an X25519 public onion key.
func OnionKeyID(pub [32]byte) KeyID {
	sum := sha256.Sum256(pub[:])
	return KeyID(sum[:KeyIDSize])
}

// OnionKey is a relay's X25519 onion key pair, rotated by the caller.
// Use it by pointer: it caches the parsed key.
type OnionKey struct {
	Private, Public [32]byte

	once   sync.Once
	parsed *ecdh.PrivateKey // Private, parsed once (see x25519.go)
	err    error
}

// ecdhKey returns Private parsed, parsing it on first use.
func (k *OnionKey) ecdhKey() (*ecdh.PrivateKey, error) {
	k.once.Do(func() { k.parsed, k.err = ecdh.X25519().NewPrivateKey(k.Private[:]) })
	return k.parsed, k.err
}

// GenerateOnionKey makes a new onion key pair from rand.
func GenerateOnionKey(rand io.Reader) (*OnionKey, error) {
	kp, err := noise.DH25519.GenerateKeypair(rand)
	if err != nil {
		return nil, fmt.Errorf("onion: generate onion key: %w", err)
	}
	return &OnionKey{Private: [32]byte(kp.Private), Public: [32]byte(kp.Public)}, nil
}

// ID returns the key's KeyID.
func (k *OnionKey) ID() KeyID { return OnionKeyID(k.Public) }

// HopKeys are the symmetric keys one hop shares with the client.
type HopKeys struct {
	forward, backward dirKeys
}

type dirKeys struct {
	cipher [wbKeys]byte // Kc ‖ Kt ‖ Kn of the wide-block primitive
	chain  [TagSize]byte
}

func prologue(identity []byte, id KeyID) []byte {
	p := make([]byte, 0, len(ProtocolName)+2+len(identity)+KeyIDSize)
	p = append(p, ProtocolName...)
	p = binary.BigEndian.AppendUint16(p, uint16(len(identity)))
	p = append(p, identity...)
	return append(p, id[:]...)
}

// nkConfig is the Noise configuration both sides start from: pattern NK
// with suite (newSuite: 25519, ChaChaPoly, BLAKE2s). The vector test drives
// exactly this configuration.
func nkConfig(suite noise.CipherSuite, rand io.Reader, prologue []byte) noise.Config {
	return noise.Config{CipherSuite: suite, Random: rand, Pattern: noise.HandshakeNK, Prologue: prologue}
}

// deriveHopKeys expands the finished handshake into the hop keys.
func deriveHopKeys(h []byte, k1, k2 [32]byte) (*HopKeys, error) {
	out, err := hkdf.Key(sha256.New, append(k1[:], k2[:]...), h, hkdfInfo, 2*dirKeysSize)
	if err != nil {
		return nil, fmt.Errorf("onion: hkdf: %w", err)
	}
	k := new(HopKeys)
	k.forward.set(out[:dirKeysSize])
	k.backward.set(out[dirKeysSize:])
	return k, nil
}

func (d *dirKeys) set(b []byte) {
	n := copy(d.cipher[:], b)
	copy(d.chain[:], b[n:])
}

// ClientHandshake is the client half of one hop's handshake.
type ClientHandshake struct {
	hs *noise.HandshakeState
}

// StartHandshake begins a handshake with the relay whose identity and onion
// public key are given. It returns the CREATE payload (key ID and Noise
// message 1) to send in a CREATE cell or inside an EXTEND.
func StartHandshake(rand io.Reader, identity []byte, onionKey [32]byte) (*ClientHandshake, [createPayloadLen]byte, error) {
	var payload [createPayloadLen]byte
	id := OnionKeyID(onionKey)
	cfg := nkConfig(newSuite(nil), rand, prologue(identity, id))
	cfg.Initiator, cfg.PeerStatic = true, onionKey[:]
	hs, err := noise.NewHandshakeState(cfg)
	if err != nil {
		return nil, payload, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	msg, _, _, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, payload, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	payload[createVersionOff] = CellsVersion
	copy(payload[createKeyIDOff:], id[:])
	copy(payload[createMsgOff:], msg)
	return &ClientHandshake{hs: hs}, payload, nil
}

// Finish consumes the relay's reply (the first HandshakeSize bytes of a
// CREATED body or an EXTENDED payload) and returns the hop keys.
func (h *ClientHandshake) Finish(reply []byte) (*HopKeys, error) {
	if len(reply) < HandshakeSize {
		return nil, fmt.Errorf("%w: short reply", ErrHandshake)
	}
	_, cs1, cs2, err := h.hs.ReadMessage(nil, reply[:HandshakeSize])
	if err != nil || cs1 == nil {
		return nil, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	return deriveHopKeys(h.hs.ChannelBinding(), cs1.UnsafeKey(), cs2.UnsafeKey())
}

// respondHandshake answers Noise message 1 as the relay identity with key,
// refusing ephemerals already in replay. It returns message 2 and the keys.
func respondHandshake(rand io.Reader, identity []byte, key *OnionKey, msg []byte, replay ReplaySet) ([]byte, *HopKeys, error) {
	static, err := key.ecdhKey()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: onion key: %v", ErrHandshake, err)
	}
	cfg := nkConfig(newSuite(static), rand, prologue(identity, key.ID()))
	cfg.StaticKeypair = noise.DHKey{Private: key.Private[:], Public: key.Public[:]}
	hs, err := noise.NewHandshakeState(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	if _, _, _, err := hs.ReadMessage(nil, msg[:HandshakeSize]); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	// Checked only after message 1 authenticated, so garbage cannot fill the set.
	if replay.Seen(key.ID(), [32]byte(hs.PeerEphemeral())) {
		return nil, nil, ErrReplay
	}
	reply, cs1, cs2, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	keys, err := deriveHopKeys(hs.ChannelBinding(), cs1.UnsafeKey(), cs2.UnsafeKey())
	return reply, keys, err
}
