package onion

import (
	"math/rand/v2"
	"testing"
	"time"
)

func testLayers(seed byte) (*layer, *layer) {
	rng := rand.NewChaCha8([32]byte{seed})
	var k dirKeys
	_, _ = rng.Read(k.cipher[:])
	_, _ = rng.Read(k.chain[:])
	return newLayer(&k, Forward), newLayer(&k, Forward)
}

// TestLayerChaining: after one modified cell, every later cell is garbage
// too, even unmodified ones.
func TestLayerChaining(t *testing.T) {
	t.Parallel()
	for _, pos := range []int{0, 15, 16, 100, BodySize - 1} {
		enc, dec := testLayers(1)
		for n := range 6 {
			var body [BodySize]byte
			body[TagSize] = byte(RelayData)
			enc.seal(&body, CmdRelay)
			if n == 2 {
				body[pos] ^= 0x80
			}
			if ok := dec.open(&body, CmdRelay); ok != (n < 2) {
				t.Fatalf("byte %d, cell %d: recognized=%v", pos, n, ok)
			}
		}
	}
}

// TestLayerRecognitionOnlyAtTarget: a cell sealed for hop 2 is not
// recognized at hop 1 and is at hop 2.
func TestLayerRecognitionOnlyAtTarget(t *testing.T) {
	t.Parallel()
	e1, d1 := testLayers(2)
	e2, d2 := testLayers(3)
	for range 100 {
		var body [BodySize]byte
		e2.seal(&body, CmdRelay)
		e1.encrypt(&body, CmdRelay)
		if d1.open(&body, CmdRelay) {
			t.Fatal("hop 1 recognized a cell for hop 2")
		}
		if !d2.open(&body, CmdRelay) {
			t.Fatal("hop 2 did not recognize its cell")
		}
	}
}

func TestLayerAllocs(t *testing.T) {
	enc, dec := testLayers(4)
	var body [BodySize]byte
	if n := testing.AllocsPerRun(100, func() { enc.seal(&body, CmdRelay); dec.open(&body, CmdRelay) }); n != 0 {
		t.Fatalf("%v allocations per cell", n)
	}
}

// TestRelayForwardAllocs: a middle relay forwards a cell without allocating.
func TestRelayForwardAllocs(t *testing.T) {
	s := newSim(t, 2, 5)
	s.build(2)
	r := s.relays[0]
	from := s.link(-1, 0)
	var cell Cell
	cell.SetHeader(s.client.CircID(), CmdRelay)
	acts := make([]Action, 0, 4)
	n := testing.AllocsPerRun(100, func() {
		var err error
		acts, err = r.HandleCell(time.Time{}, from, &cell, acts[:0])
		if err != nil || len(acts) != 1 {
			t.Fatal(err, len(acts))
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per forwarded cell", n)
	}
}
