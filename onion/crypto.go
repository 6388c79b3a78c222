package onion

// Layer crypto (cells v2), modelled on Tor's Counter Galois Onion (proposal
// 359, "CGO") on top of the wide-block primitive in wideblock.go.
//
// Each hop shares with the client, per direction, a dirKeys: the three
// AES-256 keys of the primitive and an initial chaining value (see
// handshake.go). A relay cell body is the unit of encryption: all 509
// bytes, never split, never grown.
//
// For cell number n in one direction, a hop's layer uses the tweak
//
//	W_n = (n | dirbit<<63) ‖ chain_n ‖ cmd ‖ CellsVersion ‖ 0^6   (32 bytes)
//	chain_{n+1} = T_before ⊕ T_after   (the tag fields around the operation)
//
// What each piece buys:
//
//   - The wide-block primitive: a change to any bit of the body turns the
//     tag field and the chain into noise at the next hop that removes a
//     layer, so a relay that marks a cell cannot make a recognizable mark
//     appear further on (tagging).
//   - The counter: the same plaintext never enciphers twice the same way,
//     and cells cannot be replayed, dropped or reordered without
//     desynchronizing the layer.
//   - The chain: once any cell is modified every later cell of that layer is
//     deciphered under a wrong tweak and becomes noise too (CGO's "tag
//     chaining"). There is no way to tag now and repair the circuit later.
//   - cmd, the link command (RELAY or RELAY_EARLY): it is the one header
//     field a hop could rewrite that means anything end to end (the circuit
//     ID is link-local and a wrong one only misroutes). Bound into the tweak,
//     a downgraded or upgraded RELAY_EARLY turns the cell, and every later
//     one, into noise at the next hop, and the destination closes the
//     circuit: the early pattern is no longer a channel between hops.
//   - The direction bit and the separate per-direction keys keep the forward
//     and backward streams of tweaks disjoint.
//
// Recognition and integrity ("encode then encipher"). The originating side
// of a layer writes the tag field V_n = W_n[0:16] (seal, below); the hop a
// cell is for finds, after removing its layer, V_n there again. The tag
// field is the block the primitive's tweakable block cipher acts on, with a
// tweak that covers the counter, the chain, the command and every other
// byte of the body, so a cell that was not enciphered by the holder of the
// keys for exactly this tweak deciphers to a random tag field, which is V_n
// with probability 2^-128 (V_n being public does not help: the forger must
// hit it through the unknown cipher). So one comparison answers both "is
// this cell for me?" (Tor's 'recognized' field plus digest) and "is it
// intact?". V_n must differ from cell to cell (seal says why); the counter
// in it guarantees that. The chain, V_n ⊕ T', is then known only to the two
// ends of the layer once further layers cover T': SENDMEs echo it (flow.go).
// Every intermediate hop sees only the inner layers' ciphertext and cannot
// tell whether the cell stops at the next hop or goes on.
//
// Roles: relays run only the primitive's slow direction, its enciphering
// direction, the one that is non-malleable: forward, the client adds each
// layer with fast and the relay removes it with slow; backward, each relay
// adds its layer with slow and the client removes them with fast. As in
// Tor's CGO ("relays encrypt, clients decrypt"), this must not be reversed:
// fast is CTR on the 493-byte part under a keystream chosen by the incoming
// tag field alone, so a relay running fast on cells a neighbour controls
// would pass an XOR mark, or a replay, unchanged to the hop after it
// (tagging_test.go). Under slow a changed input changes the tag field and so
// the whole keystream: the next hop sees noise. A relay's cost per cell is
// a GHASH-only AES-GCM Seal and a keystream-only one (wideblock.go), plus
// two AES blocks.

import (
	"crypto/subtle"
	"encoding/binary"
)

const backwardBit = uint64(1) << 63

// CellsVersion is the cell and layer-crypto version this package speaks. It
// is bound into every handshake (handshake.go) and every layer tweak.
const CellsVersion = 2

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
	wb      *wideBlock
	dirBit  uint64
	addSlow bool // backward layers are added with slow, forward with fast
	counter uint64
	chain   [TagSize]byte
	tweak   [wbTweakSize]byte
}

func newLayer(k *dirKeys, d Direction) *layer {
	l := &layer{wb: newWideBlock(&k.cipher), chain: k.chain, addSlow: d == Backward}
	if d == Backward {
		l.dirBit = backwardBit
	}
	l.tweak[25] = CellsVersion
	return l
}

// nextTweak returns the tweak for the current counter, chain and cmd.
func (l *layer) nextTweak(cmd Command) *[wbTweakSize]byte {
	binary.BigEndian.PutUint64(l.tweak[:8], l.counter|l.dirBit)
	copy(l.tweak[8:24], l.chain[:])
	l.tweak[24] = byte(cmd)
	return &l.tweak
}

// advance moves to the next cell, chaining head (the tag field before the
// operation) with the body's new tag field.
func (l *layer) advance(head *[TagSize]byte, body *[BodySize]byte) {
	xorBlock(&l.chain, head, (*[TagSize]byte)(body[:TagSize]))
	l.counter++
}

// encrypt adds this layer to body, a cell sent with link command cmd.
func (l *layer) encrypt(body *[BodySize]byte, cmd Command) {
	head := [TagSize]byte(body[:TagSize])
	if l.addSlow {
		l.wb.slow(body, l.nextTweak(cmd))
	} else {
		l.wb.fast(body, l.nextTweak(cmd))
	}
	l.advance(&head, body)
}

// decrypt removes this layer from body, a cell received with command cmd.
func (l *layer) decrypt(body *[BodySize]byte, cmd Command) {
	head := [TagSize]byte(body[:TagSize])
	if l.addSlow {
		l.wb.fast(body, l.nextTweak(cmd))
	} else {
		l.wb.slow(body, l.nextTweak(cmd))
	}
	l.advance(&head, body)
}

// seal writes this hop's tag into a plaintext relay body and enciphers it:
// the originating side of a layer. The tag is the first half of the cell's
// tweak, (n | dirbit) ‖ chain_n[0:8], unique to the cell: one side of every
// layer runs fast on the cells it originates or receives as their
// destination, and fast's keystream is chosen by the incoming tag field
// alone, so a constant tag (v2 first wrote zero) gave every such cell the
// same keystream (tagging_test.go). CGO writes its evolving nonce there for
// the same reason.
func (l *layer) seal(body *[BodySize]byte, cmd Command) {
	tw := l.nextTweak(cmd)
	copy(body[tagOff:tagOff+TagSize], tw[:TagSize])
	l.encrypt(body, cmd)
}

// open removes this layer and reports whether the cell is recognized, i.e.
// meant for this hop and intact: its tag field is the one seal wrote.
func (l *layer) open(body *[BodySize]byte, cmd Command) bool {
	want := [TagSize]byte(l.nextTweak(cmd)[:TagSize])
	l.decrypt(body, cmd)
	return subtle.ConstantTimeCompare(want[:], body[tagOff:tagOff+TagSize]) == 1
}

// hopLayers is the pair of layers one hop shares with the client.
type hopLayers struct {
	fwd, bwd *layer
}

func newHopLayers(k *HopKeys) hopLayers {
	return hopLayers{fwd: newLayer(&k.forward, Forward), bwd: newLayer(&k.backward, Backward)}
}
