package onion

import (
	"bytes"
	"testing"
)

// floodStreams is how many streams the attacks below fill at once: each
// stream's own window admits StreamWindowStart cells, so together they
// offer three times the circuit window.
const floodStreams = 3 * CircWindowStart / StreamWindowStart

// TestUnreadBoundedByCircuitWindow: attacker = the other end of a circuit,
// filling many streams (each within its own stream window) towards an end
// whose application reads nothing. What that end must buffer is bounded by
// the circuit window, because the circuit SENDME waits until the
// application consumed the cells, not until they arrived. On the old code
// the circuit was acknowledged on arrival and the end buffered
// floodStreams*StreamWindowStart cells.
func TestUnreadBoundedByCircuitWindow(t *testing.T) {
	t.Parallel()
	full := StreamWindowStart * MaxRelayData
	t.Run("at the destination", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, 2, 21)
		s.build(2)
		s.destHold = true
		sent := map[uint16][]byte{}
		for range floodStreams {
			sent[s.begin("svc")] = randomBytes(s.rand, full)
		}
		for id, b := range sent {
			s.clientOut[id] = b
		}
		s.drain()
		s.expectHeld(s.destTotal(), "destination")
		s.readAll(sent)
	})
	t.Run("ended streams", func(t *testing.T) {
		// BEGIN, a stream window of DATA, END, again: the ended streams'
		// unread bytes stay charged to the circuit until read.
		t.Parallel()
		s := newSim(t, 2, 22)
		s.build(2)
		s.destHold = true
		sent := map[uint16][]byte{}
		for range floodStreams {
			id := s.beginShut("svc")
			sent[id] = randomBytes(s.rand, full)
			s.clientOut[id] = sent[id]
			s.drain()
			var err error
			if s.cells, err = s.client.End(id, s.cells[:0]); err != nil {
				t.Fatal(err)
			}
			s.clientSend()
			s.drain()
		}
		s.expectHeld(s.destTotal(), "destination")
		for id := range sent { // the ended streams' bytes are read; the rest never comes
			if s.destGot[id] == nil {
				delete(sent, id)
				continue
			}
			s.destConsume(id, s.destUnread(id))
			sent[id] = sent[id][:s.destGot[id].Len()]
		}
		id := s.beginShut("svc") // the circuit window opens again
		sent[id] = randomBytes(s.rand, 3*CircWindowStart*MaxRelayData)
		s.clientOut[id] = sent[id]
		s.drain()
		s.readAll(sent)
	})
	t.Run("at the client", func(t *testing.T) {
		t.Parallel()
		s := newSim(t, 2, 23)
		s.build(2)
		s.clientHold = true
		for range floodStreams {
			id := s.begin("svc")
			s.destOut[id] = randomBytes(s.rand, full)
		}
		s.drain()
		total := 0
		for _, b := range s.clientGot {
			total += b.Len()
		}
		s.expectHeld(total, "client")
	})
}

// beginShut opens a stream and waits for CONNECTED, whether or not the
// circuit window lets it send.
func (s *sim) beginShut(target string) uint16 {
	s.t.Helper()
	id, cells, err := s.client.Begin(target, s.cells[:0])
	if err != nil {
		s.t.Fatal(err)
	}
	s.cells = cells
	s.clientSend()
	s.drain()
	for _, ev := range s.clientEv {
		if ev.Kind == EventConnected && ev.StreamID == id {
			return id
		}
	}
	s.t.Fatalf("stream %d not connected: client %v, relays %v", id, s.clientErr, s.relayErrs)
	return 0
}

// destTotal is how many bytes the destination received on all streams.
func (s *sim) destTotal() int {
	total := 0
	for _, b := range s.destGot {
		total += b.Len()
	}
	return total
}

// expectHeld fails unless an end holding total unread bytes holds at most
// a circuit window of cells, and the circuit is still up.
func (s *sim) expectHeld(total int, end string) {
	s.t.Helper()
	if s.clientErr != nil || len(s.relayErrs) > 0 {
		s.t.Fatalf("client %v, relays %v", s.clientErr, s.relayErrs)
	}
	if cells := total / MaxRelayData; cells > CircWindowStart || cells < CircWindowStart-CircWindowIncrement {
		s.t.Fatalf("the %s holds %d unread cells, want the circuit window, %d", end, cells, CircWindowStart)
	}
}

// readAll lets the held destination read until every stream got what was
// sent on it, intact.
func (s *sim) readAll(sent map[uint16][]byte) {
	s.t.Helper()
	for moved := true; moved; {
		moved = false
		for id := range sent {
			if s.destGot[id] == nil {
				continue
			}
			if n := s.destUnread(id); n > 0 {
				s.destConsume(id, n)
				moved = true
			}
		}
	}
	for id, want := range sent {
		got := s.destGot[id]
		if got == nil {
			got = new(bytes.Buffer)
		}
		if !bytes.Equal(got.Bytes(), want) {
			s.t.Fatalf("stream %d: destination got %d bytes, want %d intact", id, got.Len(), len(want))
		}
	}
	if s.clientErr != nil || len(s.relayErrs) > 0 {
		s.t.Fatalf("client %v, relays %v", s.clientErr, s.relayErrs)
	}
}
