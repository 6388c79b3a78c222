package overlay

import "cyclecash/onion"

// Fairness and backpressure on a link's output queue.
//
// Round robin: l.q, the queue the writer takes whole, holds at most
// fairShare cells of any one circuit; a circuit's further cells wait in its
// own overflow queue, and each time the writer takes l.q every overflowing
// circuit moves up to fairShare cells in, in turn. A bulk circuit with a
// full window queued thus delays another circuit's cell by at most one
// share of each backlogged circuit, not by its whole backlog.
//
// Backpressure when a link's queue passes linkQueueHigh: readpause.go.

const (
	// fairShare is how many cells of one circuit l.q holds.
	fairShare = 32
	// linkQueueHigh and linkQueueLow are the backpressure marks, in cells
	// queued on one link: eight full circuit windows, and half that.
	linkQueueHigh = 8 * onion.CircWindowStart
	linkQueueLow  = linkQueueHigh / 2
)

// fairQueue is a link's per-circuit overflow; l.mu guards it. The zero
// value is empty.
type fairQueue struct {
	inQ   map[uint32]int // cells of each circuit in l.q
	qLen  int            // len(l.q) after the last push: shorter means l.q was taken
	over  map[uint32]*overflow
	ring  []uint32      // circuits with overflow, in turn order
	spare []*overflow   // emptied overflows, for reuse
	drain chan struct{} // closed when the queue falls below linkQueueLow
}

// overflow is one circuit's cells waiting for l.q: cells[head:], their
// sequence numbers at[head:].
type overflow struct {
	cells []onion.Cell
	at    []uint64
	head  int
}

// maxSpare bounds the emptied overflows a link keeps for reuse.
const maxSpare = 8

// take removes up to n cells from the front of ov, into l's queue.
func (ov *overflow) take(l *link, n int) {
	n = min(n, len(ov.cells)-ov.head)
	l.q = append(l.q, ov.cells[ov.head:ov.head+n]...)
	l.at = append(l.at, ov.at[ov.head:ov.head+n]...)
	ov.head += n
	if ov.head > len(ov.cells)/2 { // compact: amortized O(1) per cell
		k := copy(ov.cells, ov.cells[ov.head:])
		copy(ov.at, ov.at[ov.head:])
		ov.cells, ov.at, ov.head = ov.cells[:k], ov.at[:k], 0
	}
}

func (ov *overflow) len() int { return len(ov.cells) - ov.head }

// newOverflow takes an emptied overflow for reuse, or makes one; l.mu held.
func (f *fairQueue) newOverflow() *overflow {
	if n := len(f.spare); n > 0 {
		ov := f.spare[n-1]
		f.spare = f.spare[:n-1]
		return ov
	}
	return &overflow{}
}

// free keeps an emptied overflow for reuse; l.mu held.
func (f *fairQueue) free(ov *overflow) {
	if len(f.spare) < maxSpare {
		ov.cells, ov.at, ov.head = ov.cells[:0], ov.at[:0], 0
		f.spare = append(f.spare, ov)
	}
}

// push queues c (sequence number seq) behind its circuit's cells; l.mu held.
func (l *link) push(c *onion.Cell, seq uint64) {
	f := &l.fair
	if len(l.q) < f.qLen {
		clear(f.inQ) // l.q was taken outside refill (tests)
	}
	id := c.CircID()
	if ov := f.over[id]; ov != nil || (id != 0 && f.inQ[id] >= fairShare) {
		if ov == nil {
			ov = f.newOverflow()
			if f.over == nil {
				f.over = map[uint32]*overflow{}
			}
			f.over[id] = ov
			f.ring = append(f.ring, id)
		}
		ov.cells, ov.at = append(ov.cells, *c), append(ov.at, seq)
		f.qLen = len(l.q)
		return
	}
	if f.inQ == nil {
		f.inQ = map[uint32]int{}
	}
	f.inQ[id]++
	l.q, l.at = append(l.q, *c), append(l.at, seq)
	f.qLen = len(l.q)
}

// refill moves up to fairShare cells of each overflowing circuit into l.q,
// which the writer has just taken; l.mu held. It wakes the writer again
// if it moved any.
func (l *link) refill() {
	f := &l.fair
	clear(f.inQ)
	keep := f.ring[:0]
	for _, id := range f.ring {
		ov := f.over[id]
		n := min(ov.len(), fairShare)
		ov.take(l, n)
		if ov.len() == 0 {
			delete(f.over, id)
			f.free(ov)
			continue
		}
		if f.inQ == nil {
			f.inQ = map[uint32]int{}
		}
		f.inQ[id] = n
		keep = append(keep, id)
	}
	f.ring = keep
	f.qLen = len(l.q)
	if len(l.q) > 0 {
		l.flush()
	}
}

// dropOverflow forgets circuit id's overflow and returns its cells; l.mu
// held.
func (l *link) dropOverflow(id uint32) []onion.Cell {
	ov := l.fair.over[id]
	if ov == nil {
		return nil
	}
	delete(l.fair.over, id)
	for i, r := range l.fair.ring {
		if r == id {
			l.fair.ring = append(l.fair.ring[:i], l.fair.ring[i+1:]...)
			break
		}
	}
	return ov.cells[ov.head:] // not freed: the caller still reads them
}

// oldestOverflow is the circuit whose overflow holds the oldest cell.
func (l *link) oldestOverflow() (id uint32, seq uint64, ok bool) {
	for cid, ov := range l.fair.over {
		if head := ov.at[ov.head]; !ok || head < seq {
			id, seq, ok = cid, head, true
		}
	}
	return id, seq, ok
}

// congestedOut is a link other than in that the cells just handled from
// in queued cells on and that is past linkQueueHigh, or nil; o.mu held
// (before unlock clears o.touched). A link's own replies (CREATED,
// DESTROY) never pause its reading: two neighbours whose queues towards
// each other are full would otherwise each wait for the other to read.
func (o *Onion) congestedOut(in *link) *link {
	for _, t := range o.touched {
		if t == in {
			continue
		}
		t.mu.Lock()
		over := t.n > linkQueueHigh && !t.closed
		t.mu.Unlock()
		if over {
			o.defence.Backpressured++
			return t
		}
	}
	return nil
}

// drained returns a channel closed once l's queue is below linkQueueLow
// (or l is closed).
func (l *link) drained() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n < linkQueueLow || l.closed {
		return closedChan
	}
	if l.fair.drain == nil {
		l.fair.drain = make(chan struct{})
	}
	return l.fair.drain
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// signalDrained wakes the read loops waiting for l; l.mu held.
func (l *link) signalDrained() {
	if d := l.fair.drain; d != nil && (l.n < linkQueueLow || l.closed) {
		close(d)
		l.fair.drain = nil
	}
}
