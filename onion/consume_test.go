package onion

import (
	"bytes"
	"errors"
	"testing"
)

// TestSlowReaderStallsSender: a destination whose application does not read
// stops the client at exactly the stream window; reading less than an
// increment's worth reopens nothing, reading one increment's worth lets
// exactly one increment more through, and reading everything lets the
// transfer finish intact.
func TestSlowReaderStallsSender(t *testing.T) {
	t.Parallel()
	s := newSim(t, 3, 11)
	s.build(3)
	id := s.begin("svc")
	data := randomBytes(s.rand, 3*StreamWindowStart*MaxRelayData+123)
	s.destHold = true
	s.clientOut[id] = data
	s.drain()
	s.expectStall(id, StreamWindowStart)

	s.destConsume(id, (StreamWindowIncrement-1)*MaxRelayData)
	s.expectStall(id, StreamWindowStart)
	s.destConsume(id, MaxRelayData)
	s.expectStall(id, StreamWindowStart+StreamWindowIncrement)

	for s.destUnread(id) > 0 {
		s.destConsume(id, s.destUnread(id))
	}
	if s.clientErr != nil || len(s.relayErrs) > 0 {
		t.Fatalf("client %v, relays %v", s.clientErr, s.relayErrs)
	}
	if !bytes.Equal(s.destGot[id].Bytes(), data) {
		t.Fatalf("destination got %d bytes, want %d intact", s.destGot[id].Len(), len(data))
	}
}

// TestSlowClientReader: the same towards the client, whose application
// holds what the destination sends until it reads.
func TestSlowClientReader(t *testing.T) {
	t.Parallel()
	s := newSim(t, 2, 12)
	s.build(2)
	id := s.begin("svc")
	data := randomBytes(s.rand, 2*StreamWindowStart*MaxRelayData)
	s.clientHold = true
	s.destOut[id] = data
	s.drain()
	if got := s.clientGot[id].Len(); got != StreamWindowStart*MaxRelayData {
		t.Fatalf("client holds %d unread bytes, want the window, %d", got, StreamWindowStart*MaxRelayData)
	}
	for read := 0; read < len(data); {
		n := min(7*MaxRelayData+5, s.clientGot[id].Len()-read)
		cells, err := s.client.Consumed(id, n, s.cells[:0])
		if err != nil {
			t.Fatal(err)
		}
		read += n
		s.cells = cells
		s.clientSend()
		s.drain()
		if unread := s.clientGot[id].Len() - read; unread > StreamWindowStart*MaxRelayData {
			t.Fatalf("%d bytes unread, more than the window", unread)
		}
	}
	if !bytes.Equal(s.clientGot[id].Bytes(), data) || s.clientErr != nil || len(s.relayErrs) > 0 {
		t.Fatalf("client got %d bytes (client %v, relays %v)", s.clientGot[id].Len(), s.clientErr, s.relayErrs)
	}
}

// TestShortCellsDoNotStall: cells carrying one byte each fill the window
// with StreamWindowStart bytes; reading those bytes must reopen it, since all that
// was delivered is read, though it is far less than a window's worth.
func TestShortCellsDoNotStall(t *testing.T) {
	t.Parallel()
	s := newSim(t, 1, 13)
	s.build(1)
	id := s.begin("svc")
	s.destHold = true
	for range StreamWindowStart {
		_, cells, err := s.client.Send(id, []byte{'x'}, s.cells[:0])
		if err != nil {
			t.Fatal(err)
		}
		s.cells = cells
		s.clientSend()
	}
	s.drain()
	if s.client.SendWindow(id) != 0 {
		t.Fatal("window open after StreamWindowStart cells")
	}
	s.destConsume(id, StreamWindowStart-1)
	if s.client.SendWindow(id) != 0 {
		t.Fatal("window reopened with a byte unread")
	}
	s.destConsume(id, 1)
	if got := s.client.SendWindow(id); got != StreamWindowStart {
		t.Fatalf("window %d after reading everything, want %d", got, StreamWindowStart)
	}
}

// TestConsumeWindow drives one stream's receive window directly.
func TestConsumeWindow(t *testing.T) {
	t.Parallel()
	var tag [TagSize]byte
	recv := func(w *consumeWindow, cells, size int) {
		t.Helper()
		for range cells {
			tag[0]++
			if err := w.onRecv(size, &tag); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("tags in order", func(t *testing.T) {
		w := newConsumeWindow(StreamWindowStart, StreamWindowIncrement)
		tag = [TagSize]byte{}
		recv(&w, 3*StreamWindowIncrement, MaxRelayData)
		k, err := w.consume(3*StreamWindowIncrement*MaxRelayData - 1)
		due := w.release(k)
		if err != nil || due != 2 {
			t.Fatalf("due %d (%v), want 2: the last cell is not read whole", due, err)
		}
		for i := 1; i <= 2; i++ {
			if got := w.nextTag(); got[0] != byte(i*StreamWindowIncrement) {
				t.Fatalf("SENDME %d carries the tag of cell %d", i, got[0])
			}
		}
	})
	t.Run("overrun", func(t *testing.T) {
		w := newConsumeWindow(StreamWindowStart, StreamWindowIncrement)
		recv(&w, StreamWindowStart, 1)
		if err := w.onRecv(1, &tag); !errors.Is(err, ErrProtocol) {
			t.Fatalf("cell past the window: %v, want ErrProtocol", err)
		}
	})
	t.Run("over-consumed", func(t *testing.T) {
		w := newConsumeWindow(StreamWindowStart, StreamWindowIncrement)
		recv(&w, 1, 10)
		if _, err := w.consume(11); err == nil {
			t.Fatal("consumed more than was delivered")
		}
	})
}

func (s *sim) destUnread(id uint16) int { return s.destGot[id].Len() - s.destRead[id] }

// destConsume lets the destination's application read n bytes of id.
func (s *sim) destConsume(id uint16, n int) {
	s.t.Helper()
	dest := s.relays[len(s.relays)-1]
	acts, err := dest.Consumed(s.destCirc, id, n, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	s.destRead[id] += n
	s.execute(len(s.relays)-1, acts)
	s.drain()
}

// expectStall checks that the client sent exactly cells DATA cells on id
// and may send no more.
func (s *sim) expectStall(id uint16, cells int) {
	s.t.Helper()
	if got, want := s.destGot[id].Len(), cells*MaxRelayData; got != want {
		s.t.Fatalf("destination received %d bytes, want %d (%d cells)", got, want, cells)
	}
	if w := s.client.SendWindow(id); w != 0 || len(s.clientOut[id]) == 0 {
		s.t.Fatalf("client still sending: window %d, %d bytes left", w, len(s.clientOut[id]))
	}
}
