package testnet

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"cyclecash/onion"
)

// cryptoSim is a sans-IO 3-relay circuit to a destination, all in one
// goroutine: the onion crypto and state machines of a whole path without
// any IO. Its throughput on one core, doubled for the 2 cores the nodes of
// the in-process network share, bounds what BenchmarkCircuitThroughput can
// reach.
type cryptoSim struct {
	relays []*onion.Relay
	specs  []onion.HopSpec
	client *onion.ClientCircuit
	links  map[onion.LinkID][2]int // link -> its two ends; -1 is the client
	queue  []hop
}

type hop struct {
	to   int
	link onion.LinkID
	cell onion.Cell
}

func newCryptoSim(tb testing.TB, n int) *cryptoSim {
	s := &cryptoSim{links: map[onion.LinkID][2]int{}}
	for i := range n {
		key, _ := onion.GenerateOnionKey(rand.Reader)
		id := []byte(fmt.Sprint("r", i))
		r, err := onion.NewRelay(onion.RelayConfig{Identity: id, OnionKeys: []*onion.OnionKey{key}, AcceptStreams: i == n-1})
		if err != nil {
			tb.Fatal(err)
		}
		s.relays, s.specs = append(s.relays, r), append(s.specs, onion.HopSpec{Identity: id, OnionKey: key.Public})
	}
	s.links[1] = [2]int{-1, 0}
	c, create, err := onion.NewClientCircuit(rand.Reader, 1, s.specs[0])
	if err != nil {
		tb.Fatal(err)
	}
	s.client = c
	s.queue = append(s.queue, hop{0, 1, *create})
	s.run()
	for c.Hops() < n {
		cells, err := c.Extend(s.specs[c.Hops()], nil)
		if err != nil {
			tb.Fatal(err)
		}
		s.fromClient(cells)
		s.run()
	}
	return s
}

func (s *cryptoSim) fromClient(cells []onion.Cell) {
	for _, c := range cells {
		s.queue = append(s.queue, hop{0, 1, c})
	}
}

// run delivers queued cells until none are left.
func (s *cryptoSim) run() {
	for len(s.queue) > 0 {
		h := s.queue[0]
		s.queue = s.queue[1:]
		if h.to == -1 {
			_, out, _ := s.client.HandleCell(&h.cell, nil)
			s.fromClient(out)
			continue
		}
		acts, _ := s.relays[h.to].HandleCell(time.Time{}, h.link, &h.cell, nil)
		s.execute(h.to, acts)
	}
}

func (s *cryptoSim) execute(node int, acts []onion.Action) {
	for i := 0; i < len(acts); i++ {
		a := acts[i]
		switch a.Kind {
		case onion.ActSend:
			ends := s.links[a.Link]
			to := ends[0]
			if to == node {
				to = ends[1]
			}
			s.queue = append(s.queue, hop{to, a.Link, a.Cell})
		case onion.ActExtend:
			l := onion.LinkID(node + 2)
			s.links[l] = [2]int{node, node + 1}
			more, _ := s.relays[node].Attach(a.Circ, l, true, nil)
			acts = append(acts, more...)
		case onion.ActBegin:
			more, _ := s.relays[node].Connected(a.Circ, a.StreamID, nil)
			acts = append(acts, more...)
		case onion.ActData: // the sink reads everything at once
			more, _ := s.relays[node].Consumed(a.Circ, a.StreamID, len(a.Data), nil)
			acts = append(acts, more...)
		}
	}
}

// cryptoBoundMiBs pushes size bytes through the sans-IO path and returns
// the one-core rate.
func cryptoBoundMiBs(tb testing.TB, size int) float64 {
	s := newCryptoSim(tb, 4)
	id, cells, err := s.client.Begin("sink", nil)
	if err != nil {
		tb.Fatal(err)
	}
	s.fromClient(cells)
	s.run()
	data := make([]byte, 256<<10)
	start := time.Now()
	for left := size; left > 0; {
		n, cells, err := s.client.Send(id, data[:min(left, len(data))], nil)
		if err != nil {
			tb.Fatal(err)
		}
		left -= n
		s.fromClient(cells)
		s.run()
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds()
}
