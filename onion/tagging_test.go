package onion

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// Tagging through an honest relay. The attacker is a colluding guard and
// exit (or exit and guard) around one honest middle. UIV+ is non-malleable
// only in its enciphering direction (slow); its inverse (fast) is plain CTR
// on the 493-byte part, with a keystream chosen by the incoming tag field
// alone. A relay that removes (forward) or adds (backward) its layer with
// fast therefore passes any XOR difference in that part straight to the
// next hop, and repeats its keystream whenever a tag field repeats. Each
// test below is such a channel; each must see noise.

func randomDirKeys(rng *rand.ChaCha8) *dirKeys {
	var k dirKeys
	_, _ = rng.Read(k.cipher[:])
	_, _ = rng.Read(k.chain[:])
	return &k
}

// TestTaggingDifferenceDiesAtHonestMiddle: the guard XORs a mark into the
// 493-byte part of a forward cell; the exit knows the plaintext (a SENDME,
// a request it can guess) and its own keys, so it can recompute the cell it
// should have received. The mark must not be there.
func TestTaggingDifferenceDiesAtHonestMiddle(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{71})
	mk, ek := randomDirKeys(rng), randomDirKeys(rng)
	cliM, cliE := newLayer(mk, Forward), newLayer(ek, Forward)
	midRelay := newLayer(mk, Forward)
	exitModel := newLayer(ek, Forward) // the exit replays the client's side of its own layer
	var mark [BodySize - TagSize]byte
	copy(mark[:], "guard circuit 0x5eed, client address ...")
	for n := range 4 {
		var p [BodySize]byte
		p[TagSize] = byte(RelaySendme) // a guessable plaintext
		body := p
		cliE.seal(&body, CmdRelay)
		cliM.encrypt(&body, CmdRelay)
		// The guard has removed its own layer: body is what the middle gets.
		if n == 1 {
			for i := range mark {
				body[TagSize+i] ^= mark[i]
			}
		}
		midRelay.open(&body, CmdRelay)
		want := p
		exitModel.seal(&want, CmdRelay)
		diff := make([]byte, len(mark))
		for i := range diff {
			diff[i] = body[TagSize+i] ^ want[TagSize+i]
		}
		if n == 1 && bytes.Equal(diff, mark[:]) {
			t.Fatal("the guard's mark reached the exit through the honest middle")
		}
	}
}

// TestTaggingReplayDiesAtHonestMiddle: the guard sends the middle the same
// forward cell twice. The exit must not see two cells with the same
// 493-byte part (a replay mark it can spot without any plaintext).
func TestTaggingReplayDiesAtHonestMiddle(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{72})
	mk, ek := randomDirKeys(rng), randomDirKeys(rng)
	cliM, cliE := newLayer(mk, Forward), newLayer(ek, Forward)
	midRelay := newLayer(mk, Forward)
	var body [BodySize]byte
	cliE.seal(&body, CmdRelay)
	cliM.encrypt(&body, CmdRelay)
	again := body
	midRelay.open(&body, CmdRelay)
	midRelay.open(&again, CmdRelay)
	if bytes.Equal(body[TagSize:], again[TagSize:]) {
		t.Fatal("a replayed cell leaves the honest middle with the same body: the exit sees the replay")
	}
}

// TestTaggingExitToGuardThroughMiddle: the exit sends two backward cells of
// its own choosing, the same tag field and bodies that differ by a chosen
// message. After the honest middle adds its layer the guard must not be
// able to read the message (nor see that two cells repeat).
func TestTaggingExitToGuardThroughMiddle(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{73})
	midRelay := newLayer(randomDirKeys(rng), Backward)
	var a, b [BodySize]byte
	_, _ = rng.Read(a[:])
	b = a
	msg := []byte("exit: this is circuit 7 to host example.org")
	for i := range msg {
		b[TagSize+i] ^= msg[i]
	}
	midRelay.encrypt(&a, CmdRelay)
	midRelay.encrypt(&b, CmdRelay)
	var got [BodySize - TagSize]byte
	for i := range got {
		got[i] = a[TagSize+i] ^ b[TagSize+i]
	}
	if bytes.Equal(got[:len(msg)], msg) {
		t.Fatal("the exit's message crossed the honest middle to the guard")
	}
}

// TestOriginatedCellsNoKeystreamReuse: the originating side of a layer runs
// fast on its own plaintext (the client forward, after the fix above; a
// relay backward, before it). fast takes its keystream from the incoming tag
// field alone, so a constant recognition field (all zero) gave every cell
// a hop originates, or receives as its destination, the same keystream:
// the hop before the destination read P1 ⊕ P2 off two cells.
func TestOriginatedCellsNoKeystreamReuse(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{74})
	for _, d := range []Direction{Forward, Backward} {
		l := newLayer(randomDirKeys(rng), d)
		var p1, p2 [BodySize]byte
		p1[TagSize], p2[TagSize] = byte(RelayData), byte(RelayData)
		copy(p1[TagSize+1:], "GET /secret HTTP/1.1")
		c1, c2 := p1, p2
		l.seal(&c1, CmdRelay)
		l.seal(&c2, CmdRelay)
		same := 0
		for i := TagSize; i < BodySize; i++ {
			if c1[i]^c2[i] == p1[i]^p2[i] {
				same++
			}
		}
		if same > 100 { // random: about 493/256 ≈ 2
			t.Fatalf("direction %d: two originated cells share their keystream (%d of %d bytes give P1 ⊕ P2)", d, same, BodySize-TagSize)
		}
	}
}
