package overlay

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Descriptor wire layout (all integers big-endian), signed as a whole:
//
//	magic      4   "ccd2"
//	cells      1   onion cells protocol version the relay speaks (CellsV1, …)
//	seq        8   strictly increasing per peer; a cache keeps the highest
//	expiry     8   unix seconds; refused after this instant
//	bandwidth  8   advertised relay bandwidth, bytes per second
//	roles      1   Role bit set
//	onionKey  32   X25519 public key for circuit handshakes
//	peerLen    1 | peerID   libp2p peer ID bytes (identity multihash of the Ed25519 key)
//	famLen     1 | family   operator-declared family, UTF-8, may be empty
//	nAddrs     1 | { addrLen 2 | multiaddr bytes } * nAddrs
//	pow        8   nonce of the identity's proof of work (pow.go)
//	sig       64   Ed25519 over descriptorSigContext ‖ all bytes above
const (
	descriptorMagic       = "ccd2"
	descriptorSigContext  = "cyclecash relay descriptor v2\x00"
	sigSize               = 64
	onionKeySize          = 32
	maxAddrs              = 16
	maxFamilyLen          = 64
	MaxDescriptorSize     = 2048           // larger records are refused unparsed
	MaxDescriptorLifetime = 48 * time.Hour // expiry further ahead is refused
	DescriptorNamespace   = "relay"        // DHT key is /relay/<peerID bytes>
	descriptorKeyPrefix   = "/" + DescriptorNamespace + "/"
	onionKeyIDSize        = 8
)

// CellsV1 is the onion cell format of onion/ today. A relay speaking another
// version (cells v2) announces it in its descriptor; paths never mix
// versions (PathRules.Cells), so a v1 relay is never asked to extend to a v2
// one.
const CellsV1 uint8 = 1

// Role is a bit set of what a node offers the network.
type Role uint8

// Roles a descriptor may carry. Every node relays unless configured client-only.
const (
	RoleRelay Role = 1 << iota
	RoleGateway
	RoleMarket
	RoleWorker
)

var roleNames = []struct {
	r    Role
	name string
}{{RoleRelay, "relay"}, {RoleGateway, "gateway"}, {RoleMarket, "market"}, {RoleWorker, "worker"}}

// ParseRole maps a role name ("relay", "gateway", "market", "worker") to its bit.
func ParseRole(name string) (Role, error) {
	for _, rn := range roleNames {
		if rn.name == name {
			return rn.r, nil
		}
	}
	return 0, fmt.Errorf("overlay: unknown role %q (want relay, gateway, market or worker)", name)
}

// Names lists the roles in r in a fixed order.
func (r Role) Names() []string {
	var out []string
	for _, rn := range roleNames {
		if r&rn.r != 0 {
			out = append(out, rn.name)
		}
	}
	return out
}

// Descriptor is a relay's signed self-description, stored in the DHT under
// /relay/<peerID>.
type Descriptor struct {
	Peer      peer.ID
	Addrs     []ma.Multiaddr
	OnionKey  [onionKeySize]byte
	Roles     Role
	Bandwidth uint64 // bytes per second
	Family    string
	Seq       uint64
	Expiry    time.Time
	Cells     uint8  // onion cells version; 0 is signed as CellsV1
	PoW       uint64 // proof-of-work nonce bound to Peer (pow.go)
	Sig       [sigSize]byte

	// FirstSeen is when this node's directory first held a descriptor of
	// Peer (kept across sequence numbers). It is local knowledge, never on
	// the wire; zero for descriptors that did not come from a Directory.
	FirstSeen time.Time
}

// OnionKeyID names the onion key in handshakes: the first 8 bytes of its SHA-256.
func (d *Descriptor) OnionKeyID() [onionKeyIDSize]byte {
	sum := sha256.Sum256(d.OnionKey[:])
	var id [onionKeyIDSize]byte
	copy(id[:], sum[:])
	return id
}

// DescriptorKey is the DHT key a peer's descriptor lives under.
func DescriptorKey(p peer.ID) string { return descriptorKeyPrefix + string(p) }

// PeerFromKey extracts the peer ID from a /relay/<peerID> DHT key.
func PeerFromKey(key string) (peer.ID, error) {
	if len(key) <= len(descriptorKeyPrefix) || key[:len(descriptorKeyPrefix)] != descriptorKeyPrefix {
		return "", ErrBadKey
	}
	p, err := peer.IDFromBytes([]byte(key[len(descriptorKeyPrefix):]))
	if err != nil {
		return "", ErrBadKey
	}
	return p, nil
}

// body encodes every field except the signature.
func (d *Descriptor) body() ([]byte, error) {
	if len(d.Family) > maxFamilyLen {
		return nil, fmt.Errorf("%w: family longer than %d bytes", ErrDescriptorMalformed, maxFamilyLen)
	}
	if len(d.Addrs) > maxAddrs {
		return nil, fmt.Errorf("%w: more than %d addresses", ErrDescriptorMalformed, maxAddrs)
	}
	pid := []byte(d.Peer)
	if len(pid) == 0 || len(pid) > 255 {
		return nil, fmt.Errorf("%w: bad peer ID length", ErrDescriptorMalformed)
	}
	b := make([]byte, 0, 256)
	b = append(b, descriptorMagic...)
	b = append(b, d.Cells)
	b = binary.BigEndian.AppendUint64(b, d.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(d.Expiry.Unix()))
	b = binary.BigEndian.AppendUint64(b, d.Bandwidth)
	b = append(b, byte(d.Roles))
	b = append(b, d.OnionKey[:]...)
	b = append(append(b, byte(len(pid))), pid...)
	b = append(append(b, byte(len(d.Family))), d.Family...)
	b = append(b, byte(len(d.Addrs)))
	for _, a := range d.Addrs {
		ab := a.Bytes()
		if len(ab) > 0xffff {
			return nil, fmt.Errorf("%w: address too long", ErrDescriptorMalformed)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(ab)))
		b = append(b, ab...)
	}
	return binary.BigEndian.AppendUint64(b, d.PoW), nil
}

// Sign sets d.Peer from key, solves the identity's proof of work at
// DefaultPoWBits unless d.PoW already meets it, and signs the descriptor.
func (d *Descriptor) Sign(key crypto.PrivKey) error { return d.SignPoW(key, DefaultPoWBits) }

// SignPoW is Sign for a network whose difficulty is difficulty bits.
func (d *Descriptor) SignPoW(key crypto.PrivKey, difficulty uint8) error {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return fmt.Errorf("overlay: descriptor key: %w", err)
	}
	d.Peer = id
	if d.Cells == 0 {
		d.Cells = CellsV1
	}
	if CheckPoW(d, difficulty) != nil {
		d.PoW = SolvePoW(id, difficulty)
	}
	body, err := d.body()
	if err != nil {
		return err
	}
	sig, err := key.Sign(append([]byte(descriptorSigContext), body...))
	if err != nil {
		return fmt.Errorf("overlay: sign descriptor: %w", err)
	}
	if len(sig) != sigSize {
		return fmt.Errorf("overlay: identity key must be Ed25519 (signature of %d bytes)", len(sig))
	}
	copy(d.Sig[:], sig)
	return nil
}

// Marshal encodes a signed descriptor.
func (d *Descriptor) Marshal() ([]byte, error) {
	body, err := d.body()
	if err != nil {
		return nil, err
	}
	out := append(body, d.Sig[:]...)
	if len(out) > MaxDescriptorSize {
		return nil, ErrDescriptorTooLarge
	}
	return out, nil
}

// ParseDescriptor decodes b without checking the signature or time; use
// VerifyDescriptor for anything received from the network.
func ParseDescriptor(b []byte) (*Descriptor, error) {
	if len(b) > MaxDescriptorSize {
		return nil, ErrDescriptorTooLarge
	}
	r := reader{b: b}
	if !bytes.Equal(r.next(4), []byte(descriptorMagic)) {
		return nil, fmt.Errorf("%w: bad magic", ErrDescriptorMalformed)
	}
	d := &Descriptor{Cells: r.u8()}
	d.Seq = r.u64()
	exp := r.u64()
	d.Bandwidth = r.u64()
	d.Roles = Role(r.u8())
	copy(d.OnionKey[:], r.next(onionKeySize))
	d.Peer = peer.ID(r.next(int(r.u8())))
	d.Family = string(r.next(int(r.u8())))
	n := int(r.u8())
	if n > maxAddrs {
		return nil, fmt.Errorf("%w: more than %d addresses", ErrDescriptorMalformed, maxAddrs)
	}
	for i := 0; i < n && r.err == nil; i++ {
		ab := r.next(int(r.u16()))
		if r.err != nil {
			break
		}
		a, err := ma.NewMultiaddrBytes(ab)
		if err != nil {
			return nil, fmt.Errorf("%w: address %d: bad multiaddr", ErrDescriptorMalformed, i)
		}
		d.Addrs = append(d.Addrs, a)
	}
	d.PoW = r.u64()
	copy(d.Sig[:], r.next(sigSize))
	if r.err != nil || len(r.b) != 0 {
		return nil, fmt.Errorf("%w: truncated or trailing bytes", ErrDescriptorMalformed)
	}
	if exp > uint64(1<<62) {
		return nil, fmt.Errorf("%w: expiry out of range", ErrDescriptorMalformed)
	}
	d.Expiry = time.Unix(int64(exp), 0)
	if _, err := peer.IDFromBytes([]byte(d.Peer)); err != nil {
		return nil, fmt.Errorf("%w: bad peer ID", ErrDescriptorMalformed)
	}
	return d, nil
}

// VerifyDescriptor parses b and checks that it is signed by the identity key
// that peer ID names, that it names want (when want is not empty), that it
// is live at now and that every address is an IP literal. The proof of work
// is checked by its callers (Directory, Validator), who know the network's
// difficulty. It is the only way network bytes become a Descriptor.
func VerifyDescriptor(b []byte, want peer.ID, now time.Time) (*Descriptor, error) {
	d, err := ParseDescriptor(b)
	if err != nil {
		return nil, err
	}
	if want != "" && d.Peer != want {
		return nil, ErrWrongPeer
	}
	pub, err := d.Peer.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("%w: peer ID does not embed its public key", ErrBadSignature)
	}
	ok, err := pub.Verify(append([]byte(descriptorSigContext), b[:len(b)-sigSize]...), d.Sig[:])
	if err != nil || !ok {
		return nil, ErrBadSignature
	}
	if !now.Before(d.Expiry) {
		return nil, ErrExpired
	}
	if d.Expiry.Sub(now) > MaxDescriptorLifetime {
		return nil, ErrTooFarFuture
	}
	if err := checkAddrs(d.Addrs); err != nil {
		return nil, err
	}
	return d, nil
}

// reader consumes a byte slice, remembering the first short read.
type reader struct {
	b   []byte
	err error
}

func (r *reader) next(n int) []byte {
	if r.err != nil || n > len(r.b) {
		r.err = ErrDescriptorMalformed
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() uint8 {
	if b := r.next(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.next(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.next(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}
