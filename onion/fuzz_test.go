package onion

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// seedBodies returns relay bodies from the layer vectors, plus encodings of
// each relay command.
func seedBodies(f *testing.F) [][]byte {
	var seeds [][]byte
	var vs []layerVector
	if b, err := os.ReadFile("testdata/layer.json"); err == nil && json.Unmarshal(b, &vs) == nil {
		for _, v := range vs {
			for _, p := range append(v.Plaintexts, v.Ciphertexts...) {
				if b, err := hex.DecodeString(p); err == nil {
					seeds = append(seeds, b)
				}
			}
		}
	}
	for cmd := RelayBegin; cmd <= RelayHSLast; cmd++ {
		var body [BodySize]byte
		if EncodeRelay(&body, RelayMsg{Cmd: cmd, StreamID: uint16(cmd), Data: bytes.Repeat([]byte{byte(cmd)}, int(cmd))}) == nil {
			seeds = append(seeds, body[:])
		}
	}
	return seeds
}

// FuzzParseCell: any input either is refused or round-trips exactly.
func FuzzParseCell(f *testing.F) {
	for _, b := range seedBodies(f) {
		for cmd := range Command(numCommands + 1) {
			f.Add(append([]byte{0, 0, 0, 1, byte(cmd)}, b...))
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Cell
		if err := ParseCell(&c, b); err != nil {
			return
		}
		if !bytes.Equal(c[:], b) || c.Cmd() >= numCommands {
			t.Fatal("accepted cell does not round-trip")
		}
		var d Cell
		d.SetHeader(c.CircID(), c.Cmd())
		copy(d.Body()[:], c.Body()[:])
		if d != c {
			t.Fatal("header fields do not round-trip")
		}
	})
}

// FuzzRelayCell: a decoded relay cell re-encodes to the same message.
func FuzzRelayCell(f *testing.F) {
	for _, b := range seedBodies(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) != BodySize {
			return
		}
		body := [BodySize]byte(b)
		m, err := DecodeRelay(&body)
		if err != nil {
			return
		}
		var again [BodySize]byte
		if err := EncodeRelay(&again, m); err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		m2, err := DecodeRelay(&again)
		if err != nil || m2.Cmd != m.Cmd || m2.StreamID != m.StreamID || !bytes.Equal(m2.Data, m.Data) {
			t.Fatalf("round trip: %+v != %+v (%v)", m2, m, err)
		}
	})
}

// FuzzRelayHandleCell feeds arbitrary cells to a relay holding one open
// circuit on link 1: it must never panic and its tables must stay coherent.
func FuzzRelayHandleCell(f *testing.F) {
	for _, b := range seedBodies(f) {
		for cmd := range Command(numCommands) {
			f.Add(uint32(1), uint8(cmd), true, b)
			f.Add(uint32(1), uint8(cmd), false, b)
		}
	}
	f.Fuzz(func(t *testing.T, circID uint32, cmd uint8, seal bool, body []byte) {
		r, spec, rng := testRelay(t, 1, RelayConfig{AcceptStreams: true})
		cl, create, err := NewClientCircuit(rng, 1, spec)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := r.HandleCell(time.Time{}, 1, create, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := cl.HandleCell(&acts[0].Cell, nil); err != nil {
			t.Fatal(err)
		}
		var c Cell
		c.SetHeader(circID, Command(cmd))
		copy(c.Body()[:], body)
		if seal { // make the relay recognize it, to reach the relay-cell handlers
			cl.hops[0].fwd.seal(c.Body(), c.Cmd())
		}
		_, _ = r.HandleCell(time.Time{}, 1, &c, nil)
		if r.Circuits() < 0 || r.Circuits() > 2 || len(r.circs) > 2*r.Circuits() {
			t.Fatalf("incoherent tables: %d circuits, %d entries", r.Circuits(), len(r.circs))
		}
	})
}
