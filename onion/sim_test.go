package onion

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// sim is an in-memory network: one client (node -1) and relays 0..n-1
// exchanging cells through a FIFO queue. The last relay accepts streams.
type sim struct {
	t      testing.TB
	rand   *rand.ChaCha8
	relays []*Relay
	specs  []HopSpec
	links  map[LinkID][2]int
	pairs  map[[2]int]LinkID
	queue  []delivery
	now    time.Time

	client    *ClientCircuit
	clientErr error
	clientEv  []Event
	relayErrs []error
	// afterClose counts cells the client handled after its circuit closed
	// that yielded anything but an error (an event, a cell to send).
	afterClose int

	// tamper, if set, may modify a cell about to be delivered.
	tamper func(d *delivery)
	// destination application: the ends of stream traffic at the last relay.
	destCirc  CircRef
	destGot   map[uint16]*bytes.Buffer
	destOut   map[uint16][]byte // still to send from the destination
	clientGot map[uint16]*bytes.Buffer
	clientOut map[uint16][]byte
	// clientHold and destHold stop that end's application from reading:
	// received bytes are not reported consumed until the test says so.
	clientHold, destHold bool
	destRead             map[uint16]int // bytes the held destination read
	acts                 []Action
	cells                []Cell
	// hidden-service cells the last relay handed to its IO layer, and the
	// circuit they arrived on.
	hsRelayed int
	hsCirc    CircRef
}

type delivery struct {
	to   int
	link LinkID
	cell Cell
}

func newSim(t testing.TB, relays int, seed byte) *sim {
	t.Helper()
	s := &sim{
		t: t, rand: rand.NewChaCha8([32]byte{seed}), now: time.Unix(1e9, 0),
		links: map[LinkID][2]int{}, pairs: map[[2]int]LinkID{},
		destGot: map[uint16]*bytes.Buffer{}, destOut: map[uint16][]byte{},
		clientGot: map[uint16]*bytes.Buffer{}, clientOut: map[uint16][]byte{}, destRead: map[uint16]int{},
	}
	for i := range relays {
		key, err := GenerateOnionKey(s.rand)
		if err != nil {
			t.Fatal(err)
		}
		id := []byte(fmt.Sprintf("relay-%d", i))
		r, err := NewRelay(RelayConfig{Identity: id, OnionKeys: []*OnionKey{key}, Rand: s.rand,
			AcceptStreams: i == relays-1})
		if err != nil {
			t.Fatal(err)
		}
		s.relays = append(s.relays, r)
		s.specs = append(s.specs, HopSpec{Identity: id, OnionKey: key.Public})
	}
	return s
}

func (s *sim) link(a, b int) LinkID {
	if l, ok := s.pairs[[2]int{a, b}]; ok {
		return l
	}
	l := LinkID(len(s.links) + 1)
	s.links[l] = [2]int{a, b}
	s.pairs[[2]int{a, b}], s.pairs[[2]int{b, a}] = l, l
	return l
}

func (s *sim) peer(l LinkID, self int) int {
	e := s.links[l]
	if e[0] == self {
		return e[1]
	}
	return e[0]
}

// build makes a circuit through the first hops relays.
func (s *sim) build(hops int) {
	s.t.Helper()
	c, create, err := NewClientCircuit(s.rand, 7, s.specs[0])
	if err != nil {
		s.t.Fatal(err)
	}
	s.client = c
	s.enqueue(0, s.link(-1, 0), create)
	for c.Hops() < hops && s.clientErr == nil {
		s.drain()
		if c.Hops() < hops && c.pending == nil {
			s.cells, err = c.Extend(s.specs[c.Hops()], s.cells[:0])
			if err != nil {
				s.t.Fatal(err)
			}
			s.clientSend()
		}
	}
	s.drain()
	if c.Hops() != hops {
		s.t.Fatalf("built %d hops, want %d (client error %v, relay errors %v)", c.Hops(), hops, s.clientErr, s.relayErrs)
	}
}

func (s *sim) enqueue(to int, l LinkID, c *Cell) { s.queue = append(s.queue, delivery{to, l, *c}) }

func (s *sim) clientSend() {
	for i := range s.cells {
		s.enqueue(0, s.link(-1, 0), &s.cells[i])
	}
	s.cells = s.cells[:0]
}

// drain delivers cells and pumps stream data until nothing moves.
func (s *sim) drain() {
	for len(s.queue) > 0 || s.pump() {
		d := s.queue[0]
		s.queue = s.queue[1:]
		if s.tamper != nil {
			s.tamper(&d)
		}
		if d.to == -1 {
			s.toClient(&d)
		} else {
			s.toRelay(&d)
		}
	}
}

func (s *sim) toClient(d *delivery) {
	closed := s.client.Err() != nil
	ev, cells, err := s.client.HandleCell(&d.cell, s.cells[:0])
	s.cells = cells
	if closed && (err == nil || ev.Kind != EventNone || len(cells) > 0) {
		s.afterClose++ // a closed circuit delivered or sent something
	}
	if err != nil && s.clientErr == nil {
		s.clientErr = err
	}
	switch ev.Kind {
	case EventData:
		s.clientBuf(ev.StreamID).Write(ev.Data)
		if !s.clientHold {
			s.cells, err = s.client.Consumed(ev.StreamID, len(ev.Data), s.cells)
			if err != nil && s.clientErr == nil {
				s.clientErr = err
			}
		}
	case EventNone:
	default:
		s.clientEv = append(s.clientEv, ev)
	}
	s.clientSend()
}

func (s *sim) clientBuf(id uint16) *bytes.Buffer {
	if s.clientGot[id] == nil {
		s.clientGot[id] = new(bytes.Buffer)
	}
	return s.clientGot[id]
}

func (s *sim) toRelay(d *delivery) {
	acts, err := s.relays[d.to].HandleCell(s.now, d.link, &d.cell, s.acts[:0])
	if err != nil {
		s.relayErrs = append(s.relayErrs, fmt.Errorf("relay %d: %w", d.to, err))
	}
	s.execute(d.to, acts)
}

func (s *sim) execute(node int, acts []Action) {
	r := s.relays[node]
	for i := 0; i < len(acts); i++ {
		a := &acts[i]
		switch a.Kind {
		case ActSend:
			s.enqueue(s.peer(a.Link, node), a.Link, &a.Cell)
		case ActExtend:
			next := s.indexOf(a.Identity)
			more, err := r.Attach(a.Circ, s.link(node, next), true, nil)
			if err != nil {
				s.t.Fatal(err)
			}
			acts = append(acts, more...)
		case ActBegin:
			s.destCirc = a.Circ
			more, err := r.Connected(a.Circ, a.StreamID, nil)
			if err != nil {
				s.t.Fatal(err)
			}
			acts = append(acts, more...)
		case ActRelay:
			s.hsRelayed++
			s.hsCirc = a.Circ
		case ActData:
			if s.destGot[a.StreamID] == nil {
				s.destGot[a.StreamID] = new(bytes.Buffer)
			}
			s.destGot[a.StreamID].Write(a.Data)
			if !s.destHold {
				more, err := r.Consumed(a.Circ, a.StreamID, len(a.Data), nil)
				if err != nil {
					s.t.Fatal(err)
				}
				acts = append(acts, more...)
			}
		}
	}
	s.acts = acts[:0]
}

func (s *sim) indexOf(id []byte) int {
	for i, sp := range s.specs {
		if bytes.Equal(sp.Identity, id) {
			return i
		}
	}
	s.t.Fatalf("unknown identity %q", id)
	return -1
}

// pump pushes pending stream data from both ends as far as windows allow.
func (s *sim) pump() bool {
	moved := false
	for id, data := range s.clientOut {
		if len(data) == 0 || s.client.SendWindow(id) == 0 {
			continue
		}
		n, cells, err := s.client.Send(id, data, s.cells[:0])
		s.cells = cells
		if err != nil {
			s.t.Fatal(err)
		}
		s.clientOut[id], moved = data[n:], true
		s.clientSend()
	}
	dest := s.relays[len(s.relays)-1]
	for id, data := range s.destOut {
		if len(data) == 0 || dest.StreamWindow(s.destCirc, id) == 0 {
			continue
		}
		n, acts, err := dest.StreamSend(s.destCirc, id, data, s.acts[:0])
		if err != nil {
			s.t.Fatal(err)
		}
		s.destOut[id], moved = data[n:], true
		s.execute(len(s.relays)-1, acts)
	}
	return moved
}

// begin opens a stream from the client and waits for CONNECTED.
func (s *sim) begin(target string) uint16 {
	s.t.Helper()
	id, cells, err := s.client.Begin(target, s.cells[:0])
	if err != nil {
		s.t.Fatal(err)
	}
	s.cells = cells
	s.clientSend()
	s.drain()
	if s.client.SendWindow(id) == 0 {
		s.t.Fatalf("stream %d not connected: client %v, relays %v", id, s.clientErr, s.relayErrs)
	}
	return id
}

// circAt returns relay i's state for the sim's circuit.
func (s *sim) circAt(i int) *relayCirc {
	for ref, c := range s.relays[i].circs {
		if ref == c.prev {
			return c
		}
	}
	return nil
}

func randomBytes(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	_, _ = r.Read(b)
	return b
}

// destSend sends data on stream id from the destination, as far as the
// windows allow; it returns the actions and how many bytes were taken.
func (s *sim) destSend(id uint16, data []byte) ([]Action, int) {
	dest := s.relays[len(s.relays)-1]
	if s.circAt(len(s.relays)-1) == nil || dest.StreamWindow(s.destCirc, id) == 0 {
		return nil, 0
	}
	n, acts, err := dest.StreamSend(s.destCirc, id, data, s.acts[:0])
	if err != nil {
		return nil, 0
	}
	return acts, n
}
