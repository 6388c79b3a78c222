package onion

import (
	"bytes"
	"testing"
)

// TestSimulationBulk moves data both ways through 3 relays and a destination
// with flow control, and checks it arrives intact.
func TestSimulationBulk(t *testing.T) {
	t.Parallel()
	size := 8 << 20
	if testing.Short() {
		size = 1 << 20
	}
	s := newSim(t, 4, 1)
	s.build(4)
	s.cells = s.client.PadEarly(s.cells[:0])
	checkPadEarly(t, s, 4)
	s.clientSend()
	id := s.begin("echo")
	up, down := randomBytes(s.rand, size), randomBytes(s.rand, size)
	s.clientOut[id], s.destOut[id] = up, down
	s.drain()
	if s.clientErr != nil || len(s.relayErrs) > 0 {
		t.Fatalf("client %v, relays %v", s.clientErr, s.relayErrs)
	}
	if !bytes.Equal(s.destGot[id].Bytes(), up) {
		t.Fatalf("destination got %d bytes, want %d intact", s.destGot[id].Len(), len(up))
	}
	if !bytes.Equal(s.clientGot[id].Bytes(), down) {
		t.Fatalf("client got %d bytes, want %d intact", s.clientGot[id].Len(), len(down))
	}
	// Hop k saw the early cells sent after it joined: all but k-1 EXTENDs.
	for k := range 4 {
		if c := s.circAt(k); c.early != s.client.early-k || !c.plain {
			t.Fatalf("hop %d saw %d early cells (plain after: %v), want %d then plain", k+1, c.early, c.plain, s.client.early-k)
		}
	}
}

// checkPadEarly: PadEarly's cells are DROPs to the last hop, all RELAY_EARLY,
// never more than the cap allows, and it ends the prefix: a second call
// sends nothing and the next forward cell is RELAY.
func checkPadEarly(t *testing.T, s *sim, hops int) {
	t.Helper()
	if len(s.cells) > EarlyCells-(hops-1) || s.client.early > EarlyCells {
		t.Fatalf("PadEarly sent %d cells, %d early in all", len(s.cells), s.client.early)
	}
	for i := range s.cells {
		if s.cells[i].Cmd() != CmdRelayEarly {
			t.Fatalf("padding cell %d is %v", i, s.cells[i].Cmd())
		}
	}
	if again := s.client.PadEarly(nil); len(again) != 0 {
		t.Fatalf("second PadEarly sent %d cells", len(again))
	}
	if !s.client.plain {
		t.Fatal("the early prefix is still open after PadEarly")
	}
}

// TestPathLengths builds every allowed length and moves a little data.
func TestPathLengths(t *testing.T) {
	t.Parallel()
	for hops := 1; hops <= MaxHops; hops++ {
		s := newSim(t, hops, byte(hops))
		s.build(hops)
		id := s.begin("svc")
		s.clientOut[id] = randomBytes(s.rand, 5000)
		s.destOut[id] = randomBytes(s.rand, 7000)
		s.drain()
		if s.destGot[id].Len() != 5000 || s.clientGot[id].Len() != 7000 {
			t.Fatalf("%d hops: moved %d/%d bytes", hops, s.destGot[id].Len(), s.clientGot[id].Len())
		}
	}
}

// TestFlowControlBlocks checks that a sender stops at the window and resumes
// only when SENDMEs arrive.
func TestFlowControlBlocks(t *testing.T) {
	t.Parallel()
	s := newSim(t, 2, 3)
	s.build(2)
	id := s.begin("svc")
	if got := s.client.SendWindow(id); got != StreamWindowStart {
		t.Fatalf("initial window %d, want %d", got, StreamWindowStart)
	}
	data := make([]byte, (StreamWindowStart+10)*MaxRelayData)
	n, cells, err := s.client.Send(id, data, nil)
	if err != nil || n != StreamWindowStart*MaxRelayData {
		t.Fatalf("sent %d bytes (%v), want %d", n, err, StreamWindowStart*MaxRelayData)
	}
	if _, _, err := s.client.Send(id, data[n:], nil); err != ErrWindowExhausted {
		t.Fatalf("send on closed window: %v, want ErrWindowExhausted", err)
	}
	s.cells = cells
	s.clientSend()
	s.drain()
	if got := s.client.SendWindow(id); got != StreamWindowStart {
		t.Fatalf("window after SENDMEs %d, want %d", got, StreamWindowStart)
	}
}

// TestStreamsPerCircuitCapped opens more streams on one circuit than a
// destination holds: the excess BEGINs are refused with END (resources),
// the circuit and the streams already open keep working, and the
// destination's stream table stays bounded (each stream costs the IO layer
// a handler goroutine and a receive buffer).
func TestStreamsPerCircuitCapped(t *testing.T) {
	t.Parallel()
	s := newSim(t, 2, 9)
	s.build(2)
	begun := 0
	for range MaxStreamsPerCircuit + 10 {
		_, cells, err := s.client.Begin("svc", s.cells[:0])
		if err != nil {
			t.Fatal(err)
		}
		s.cells = cells
		s.clientSend()
		s.drain()
		begun++
	}
	if s.clientErr != nil || len(s.relayErrs) > 0 {
		t.Fatalf("client %v, relays %v", s.clientErr, s.relayErrs)
	}
	dest := s.relays[len(s.relays)-1]
	c, err := dest.endpointOf(s.destCirc)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.ep.streams.m); n > MaxStreamsPerCircuit {
		t.Fatalf("destination holds %d streams on one circuit, cap %d", n, MaxStreamsPerCircuit)
	}
	refused := 0
	for _, ev := range s.clientEv {
		if ev.Kind == EventEnd && ev.Reason == ReasonResources {
			refused++
		}
	}
	if refused != begun-MaxStreamsPerCircuit {
		t.Fatalf("%d BEGINs refused, want %d", refused, begun-MaxStreamsPerCircuit)
	}
	// An open stream still works, and a slot freed by END can be reused.
	id := uint16(1)
	s.clientOut[id] = randomBytes(s.rand, 3000)
	s.drain()
	if s.destGot[id].Len() != 3000 {
		t.Fatalf("stream %d moved %d bytes after the refusals", id, s.destGot[id].Len())
	}
	s.cells, err = s.client.End(id, s.cells[:0])
	if err != nil {
		t.Fatal(err)
	}
	s.clientSend()
	s.drain()
	s.begin("svc")
}
