package onion

// Layer crypto, modelled on Tor's Counter Galois Onion (proposal 359, "CGO")
// but built from a tweakable wide-block cipher we can use off the shelf.
//
// Each hop shares with the client, per direction, a dirKeys: an Adiantum key,
// a MAC key and an initial chaining value (see handshake.go). A relay cell
// body is the unit of encryption: all 509 bytes, never split, never grown.
//
// Enciphering. For cell number n in one direction, a hop's layer computes
//
//	tweak_n = (n | dirbit<<63) ‖ chain_n          (8 + 16 = 24 bytes)
//	C       = Adiantum_K(tweak_n, P)               (wide block, 509 bytes)
//	chain_{n+1} = P[0:16] ⊕ C[0:16]
//
// and the inverse on the other side. What each piece buys:
//
//   - A wide-block (strong, tweakable) pseudorandom permutation over the whole
//     body: flipping any bit of C turns all of P into noise, not just the bit
//     (as a stream cipher would). This is what defeats tagging: a relay that
//     marks a cell cannot make a matching, recognizable mark appear further on.
//   - The counter in the tweak: the same plaintext never enciphers twice the
//     same way, and cells cannot be replayed, dropped or reordered without
//     desynchronizing the layer.
//   - The chain in the tweak: P[0:16] and C[0:16] both depend on every bit of
//     the cell, so once any cell is modified every later cell of that layer is
//     deciphered under a wrong tweak and becomes noise too (CGO's "tag
//     chaining"). There is no way to tag now and repair the circuit later.
//   - The direction bit and the separate per-direction keys keep the forward
//     and backward streams of tweaks disjoint.
//
// Recognition and integrity ("encode then encipher"). The hop a cell is for
// finds, after removing its layer, the 16-byte tag field equal to
//
//	tag_n = AES-256_Kmac(n | dirbit<<63 ‖ 0^8)
//
// a per-cell secret value. Because the layer is a strong PRP, a cell that was
// not enciphered by the holder of the keys for exactly this (n, chain) tweak
// deciphers to a uniformly random body, whose tag field matches with
// probability 2^-128. So one comparison answers both "is this cell for me?"
// (Tor's 'recognized' field plus digest) and "is it intact?" (the MAC). Every
// intermediate hop sees only the inner layers' ciphertext, cannot read a thing
// and cannot tell whether the cell stops at the next hop or goes on.
//
// A relay peels one layer per forward cell and checks the tag; on a match it
// handles the cell, otherwise it passes the body on unchanged in size. The
// last hop of a circuit that fails the check returns ErrTagMismatch and the
// circuit is destroyed. Backward, each hop adds one layer; a hop originating
// a cell first writes its tag_n. The client removes layers from the first hop
// outwards and checks the tag after each: the first match names the hop that
// sent the cell; no match at all is ErrTagMismatch.
//
// Adiantum uses XChaCha12 + AES-256 + NH/Poly1305 (Crowley & Biggers, 2018).
// The tweak is capped at 24 bytes: lukechampine.com/adiantum hashes the tweak
// in a 40-byte scratch buffer and longer tweaks make it allocate per cell.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"

	"lukechampine.com/adiantum"
	"lukechampine.com/adiantum/hbsh"
)

const (
	tweakSize   = 8 + TagSize // counter|dir ‖ chain
	backwardBit = uint64(1) << 63
)

// Direction of travel along a circuit.
type Direction uint8

// Directions.
const (
	Forward  Direction = 0 // client towards destination
	Backward Direction = 1 // destination towards client
)

// layer is one hop's crypto state for one direction. Not safe for concurrent
// use; a circuit is driven by one goroutine.
type layer struct {
	wide    *hbsh.HBSH
	mac     cipher.Block
	dirBit  uint64
	counter uint64
	chain   [TagSize]byte
	tweak   [tweakSize]byte
	// Scratch space: buffers passed through the cipher.Block interface
	// escape, so they live here to keep the per-cell path allocation-free.
	blk, want [aes.BlockSize]byte
}

func newLayer(k *dirKeys, d Direction) *layer {
	mac, err := aes.NewCipher(k.mac[:])
	if err != nil {
		panic("onion: aes key size") // unreachable: the key is 32 bytes
	}
	l := &layer{wide: adiantum.New(k.cipher[:]), mac: mac, chain: k.chain}
	if d == Backward {
		l.dirBit = backwardBit
	}
	return l
}

// nextTweak returns the tweak for the current counter and chain.
func (l *layer) nextTweak() []byte {
	binary.BigEndian.PutUint64(l.tweak[:8], l.counter|l.dirBit)
	copy(l.tweak[8:], l.chain[:])
	return l.tweak[:]
}

// expectedTag writes tag_n for the current counter into dst.
func (l *layer) expectedTag(dst []byte) {
	binary.BigEndian.PutUint64(l.blk[:8], l.counter|l.dirBit)
	l.mac.Encrypt(dst, l.blk[:])
}

// advance moves to the next cell, chaining head (the first 16 bytes of the
// body before the operation) with the body's new first 16 bytes.
func (l *layer) advance(head *[TagSize]byte, body *[BodySize]byte) {
	subtle.XORBytes(l.chain[:], head[:], body[:TagSize])
	l.counter++
}

// encrypt adds this layer to body.
func (l *layer) encrypt(body *[BodySize]byte) {
	head := [TagSize]byte(body[:TagSize])
	l.wide.Encrypt(body[:], l.nextTweak())
	l.advance(&head, body)
}

// decrypt removes this layer from body.
func (l *layer) decrypt(body *[BodySize]byte) {
	head := [TagSize]byte(body[:TagSize])
	l.wide.Decrypt(body[:], l.nextTweak())
	l.advance(&head, body)
}

// seal writes this hop's tag into a plaintext relay body and enciphers it:
// the originating side of a layer.
func (l *layer) seal(body *[BodySize]byte) {
	l.expectedTag(body[tagOff : tagOff+TagSize])
	l.encrypt(body)
}

// open removes this layer and reports whether the cell is recognized, i.e.
// meant for this hop and intact.
func (l *layer) open(body *[BodySize]byte) bool {
	l.expectedTag(l.want[:])
	l.decrypt(body)
	return subtle.ConstantTimeCompare(l.want[:], body[tagOff:tagOff+TagSize]) == 1
}

// hopLayers is the pair of layers one hop shares with the client.
type hopLayers struct {
	fwd, bwd *layer
}

func newHopLayers(k *HopKeys) hopLayers {
	return hopLayers{fwd: newLayer(&k.forward, Forward), bwd: newLayer(&k.backward, Backward)}
}
