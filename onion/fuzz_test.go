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

// FuzzClientHandleCell drives a built 3-hop circuit, stream open, with a
// sequence of backward cells chosen by the input: relay cells of any
// command from the exit or the middle, stream data, raw cells of any command
// and body injected by the guard, and single-bit flips of the next cell the
// client gets. Invariants: nothing panics; once the client's circuit has
// closed, every later cell yields only the error (no event, no cell); the
// stream bytes delivered are always a prefix of what the exit sent.
func FuzzClientHandleCell(f *testing.F) {
	f.Add([]byte{0, 3, 10, 1, 50, 2, 4, 7, 3, 99, 1, 20})
	f.Add([]byte{0, 10, 0, 0, 32, 5, 4, 9, 1})
	f.Add([]byte{2, 3, 1, 1, 1, 3, 8, 1, 9})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			return
		}
		s := newSim(t, 3, 1)
		s.build(3)
		id := s.begin("svc")
		var sent []byte
		next := func() byte {
			if len(ops) == 0 {
				return 0
			}
			b := ops[0]
			ops = ops[1:]
			return b
		}
		for len(ops) > 0 {
			switch next() % 5 {
			case 0, 4:
				hop := 2
				if len(ops)%2 == 1 {
					hop = 1
				}
				m := RelayMsg{Cmd: RelayCommand(next()), StreamID: id, Data: bytes.Repeat([]byte{7}, int(next()))}
				if c := s.circAt(hop); c != nil {
					acts, err := s.relays[hop].SendRelay(c.prev, m, s.acts[:0])
					if err == nil && hop == 2 && m.Cmd == RelayData {
						sent = append(sent, m.Data...) // the exit's own data
					}
					s.execute(hop, acts)
				}
			case 1:
				data := bytes.Repeat([]byte{byte(len(sent))}, 4*int(next())+1)
				if acts, n := s.destSend(id, data); n > 0 {
					sent = append(sent, data[:n]...)
					s.execute(2, acts)
				}
			case 2:
				var c Cell
				c.SetHeader(s.client.CircID(), Command(next()%(numCommands+2)))
				for i := range c.Body() {
					c.Body()[i] = byte(i) ^ next()
				}
				s.enqueue(-1, s.link(-1, 0), &c)
			case 3:
				bit, armed := int(next())*17%(CellSize*8), true
				s.tamper = func(d *delivery) {
					if d.to == -1 && armed {
						d.cell[bit/8] ^= 1 << (bit % 8)
						armed = false
					}
				}
			}
			s.drain()
		}
		if s.afterClose != 0 {
			t.Fatalf("%d cells yielded something after the circuit closed (%v)", s.afterClose, s.client.Err())
		}
		if got := s.clientGot[id]; got != nil && !bytes.HasPrefix(sent, got.Bytes()) {
			t.Fatalf("client delivered %d stream bytes that the exit did not send", got.Len())
		}
	})
}
