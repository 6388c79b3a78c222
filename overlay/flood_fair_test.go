package overlay

import (
	"crypto/rand"
	"encoding/binary"
	"testing"

	"cyclecash/onion"
)

// numbered is a RELAY cell of circuit id carrying n, to check order.
func numbered(id uint32, n int) *onion.Cell {
	c := new(onion.Cell)
	c.SetHeader(id, onion.CmdRelay)
	binary.BigEndian.PutUint32(c.Body()[:4], uint32(n))
	return c
}

// TestLinkRoundRobin: attacker = a bulk circuit that keeps a full window
// queued on a link other clients' circuits share. A light circuit's cell
// queued after that backlog still goes out within the writer's first
// share of cells, each circuit's cells stay in order, and the OOM killer
// still finds the circuit with the oldest cell in the overflow. The old
// FIFO wrote the light cell after all 1,000 bulk cells.
func TestLinkRoundRobin(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}})
	l := fakeLink(o, 1, "next")
	sent, next := map[uint32]int{}, map[uint32]int{}
	send := func(id uint32) { l.enqueue(numbered(id, sent[id])); sent[id]++ }
	for round := range 2 { // the second reuses the emptied overflows
		o.mu.Lock()
		for range onion.CircWindowStart {
			send(5)
		}
		for range 3 {
			send(6)
			send(7)
		}
		bulkOldest, _, _ := l.oldestCirc()
		o.unlock()
		if bulkOldest != 5 {
			t.Fatalf("oldest queued circuit %d, want the bulk circuit 5", bulkOldest)
		}
		q := l.takeQueued()
		if len(q) != onion.CircWindowStart+6 {
			t.Fatalf("%d cells taken, want %d", len(q), onion.CircWindowStart+6)
		}
		lastLight := 0
		for i := range q {
			id := q[i].CircID()
			if n := int(binary.BigEndian.Uint32(q[i].Body()[:4])); n != next[id] {
				t.Fatalf("round %d, circuit %d: cell %d out of order (want %d)", round, id, n, next[id])
			}
			next[id]++
			if id != 5 {
				lastLight = i
			}
		}
		if lastLight >= writeBatch { // in the writer's first Write
			t.Fatalf("light circuits' last cell written at %d, behind the bulk backlog (want < %d)", lastLight, writeBatch)
		}
		if o.queued.Load() != 0 {
			t.Fatalf("%d cells still accounted", o.queued.Load())
		}
	}
}

// TestLinkBackpressure: attacker = whoever keeps a link's output queue
// full (a slow next hop, or many circuits' windows at once). Cells read
// from an input link that land on a link past linkQueueHigh make the read
// loop stop reading that input link until the output drains below
// linkQueueLow, instead of queueing without end until the OOM killer
// fires; cells to an uncongested link do not. The old read loop never
// paused.
func TestLinkBackpressure(t *testing.T) {
	t.Parallel()
	h := newMiddleHarness(t)
	h.take(h.b)
	send := func() *link {
		cells, _ := h.client.SendRelay(2, onion.RelayMsg{Cmd: onion.RelayDrop}, nil)
		return h.o.handleCells(h.a, cells).out
	}
	if out := send(); out != nil {
		t.Fatal("read loop paused for an uncongested link")
	}
	h.o.mu.Lock()
	for i := 0; i <= linkQueueHigh; i++ { // other circuits' backlog, each under its cap
		h.b.enqueue(numbered(uint32(100+i/onion.CircWindowStart), i))
	}
	h.o.unlock()
	out := send()
	if out != h.b {
		t.Fatalf("cells onto a link with %d queued: pause on %v, want the congested link", h.b.queuedLen(), out)
	}
	drained := h.b.drained()
	select {
	case <-drained:
		t.Fatal("congested link reported drained")
	default:
	}
	h.take(h.b)
	select {
	case <-drained:
	default:
		t.Fatal("drained link still holds its readers")
	}
	done := make(chan struct{})
	go func() { h.a.waitDrained(h.b); close(done) }()
	<-done // returns at once: b is below linkQueueLow
	if c := h.o.DefenceCounters(); c.Backpressured != 1 || h.b.closed || h.a.closed {
		t.Fatalf("counters %+v, links closed %v %v", c, h.a.closed, h.b.closed)
	}
	if send() != nil {
		t.Fatal("read loop paused after the link drained")
	}
}
