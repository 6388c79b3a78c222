package onion

import (
	"bytes"
	"errors"
	"testing"
)

// TestTaggingDetected flips one bit of one forward cell at the first relay's
// input and checks that the destination closes the circuit, the client gets
// a clear error, and the destination never delivers a modified byte.
func TestTaggingDetected(t *testing.T) {
	t.Parallel()
	// Bit positions across header and body: tag field, relay header, data, last byte.
	bits := []int{0, 7, 33, 39, 40, 41, 42, 43, 44, 45, 46, 47, 5 * 8, 21 * 8, 22*8 + 3, 300*8 + 5, CellSize*8 - 1}
	for i := 48; i < CellSize*8; i += 97 {
		bits = append(bits, i)
	}
	for _, bit := range bits {
		s := newSim(t, 4, 9)
		s.build(4)
		id := s.begin("svc")
		up := randomBytes(s.rand, 60*MaxRelayData)
		seen := 0
		s.tamper = func(d *delivery) {
			if d.to == 0 && d.cell.Cmd().isRelay() {
				if seen++; seen == 10 {
					d.cell[bit/8] ^= 1 << (bit % 8)
				}
			}
		}
		s.clientOut[id] = up
		s.drain()
		got := s.destGot[id].Bytes()
		if !bytes.HasPrefix(up, got) || len(got) >= len(up) {
			t.Fatalf("bit %d: destination delivered %d bytes not an intact prefix", bit, len(got))
		}
		if s.client.Err() == nil {
			t.Fatalf("bit %d: client circuit still open (relay errors %v)", bit, s.relayErrs)
		}
		if s.relays[3].Circuits() != 0 {
			t.Fatalf("bit %d: destination kept the circuit", bit)
		}
	}
}

// TestTaggingDetectedEndToEnd checks the exact errors for a body bit flip:
// the destination reports ErrTagMismatch and so does the client.
func TestTaggingDetectedEndToEnd(t *testing.T) {
	t.Parallel()
	s := newSim(t, 4, 10)
	s.build(4)
	id := s.begin("svc")
	seen := 0
	s.tamper = func(d *delivery) {
		if d.to == 0 && d.cell.Cmd().isRelay() {
			if seen++; seen == 3 {
				d.cell[bodyOff+200] ^= 0x10
			}
		}
	}
	s.clientOut[id] = randomBytes(s.rand, 20*MaxRelayData)
	s.drain()
	if len(s.relayErrs) == 0 || !errors.Is(s.relayErrs[0], ErrTagMismatch) {
		t.Fatalf("relay errors %v, want ErrTagMismatch at the destination", s.relayErrs)
	}
	if !errors.Is(s.client.Err(), ErrTagMismatch) {
		t.Fatalf("client error %v, want ErrTagMismatch", s.client.Err())
	}
	for i, r := range s.relays {
		if r.Circuits() != 0 {
			t.Fatalf("relay %d still holds %d circuits", i, r.Circuits())
		}
	}
}

// TestBackwardTaggingDetected flips a bit of a backward cell at the first
// relay's output: the client detects it.
func TestBackwardTaggingDetected(t *testing.T) {
	t.Parallel()
	s := newSim(t, 3, 11)
	s.build(3)
	id := s.begin("svc")
	seen := 0
	s.tamper = func(d *delivery) {
		if d.to == -1 && d.cell.Cmd().isRelay() {
			if seen++; seen == 4 {
				d.cell[bodyOff+400] ^= 1
			}
		}
	}
	down := randomBytes(s.rand, 20*MaxRelayData)
	s.destOut[id] = down
	s.drain()
	if !errors.Is(s.clientErr, ErrTagMismatch) {
		t.Fatalf("client error %v, want ErrTagMismatch", s.clientErr)
	}
	if got := s.clientGot[id].Bytes(); !bytes.HasPrefix(down, got) || len(got) != 3*MaxRelayData {
		t.Fatalf("client delivered %d bytes, want the 3 intact cells before the flip", len(got))
	}
}
