package overlay

import (
	"cyclecash/onion"
)

// Link queues under flood. Each link's queue counts its cells per circuit,
// and all links' queued cells share one memory budget:
//
//   - a circuit with more than maxCircQueue cells queued on a link is a peer
//     ignoring its window (queued cells have not reached the far end, so no
//     SENDME covers them): that circuit is closed and counted, the link and
//     its other circuits carry on;
//   - past the budget, the relay closes the circuits holding the oldest
//     queued cells until it is back under 7/8 of it (Tor's circuit OOM
//     killer): a stuck or flooded circuit goes, never a whole link.
//
// Both run when the onion lock is released (unlock), so enqueue, which
// runs inside action execution, never re-enters it.

// countCell records one queued cell of circuit id; l.mu held. It reports
// false if the circuit is past its queue cap.
func (l *link) countCell(id uint32) bool {
	if id == 0 { // link padding: one per keepalive, not a circuit's
		return true
	}
	if l.perCirc == nil {
		l.perCirc = map[uint32]int32{}
	}
	n := l.perCirc[id]
	if n >= maxCircQueue {
		return false
	}
	l.perCirc[id] = n + 1
	l.n++
	return true
}

// uncount forgets cells written (or dropped); l.mu held.
func (l *link) uncount(cells []onion.Cell) {
	gone := int64(0)
	for i := range cells {
		id := cells[i].CircID()
		if id == 0 {
			continue
		}
		gone++
		if n := l.perCirc[id] - 1; n > 0 {
			l.perCirc[id] = n
		} else {
			delete(l.perCirc, id)
		}
	}
	gone = min(gone, l.n)
	l.n -= gone
	l.o.queued.Add(-gone)
	l.signalDrained()
}

// dropCirc removes circuit id's queued cells; l.mu held.
func (l *link) dropCirc(id uint32) {
	keep := 0
	var gone []onion.Cell
	for i := range l.q {
		if l.q[i].CircID() == id {
			gone = append(gone, l.q[i])
			continue
		}
		l.q[keep], l.at[keep] = l.q[i], l.at[i]
		keep++
	}
	l.q, l.at = l.q[:keep], l.at[:keep]
	delete(l.fair.inQ, id)
	l.fair.qLen = len(l.q)
	gone = append(gone, l.dropOverflow(id)...)
	l.uncount(gone)
}

// oldestCirc is the circuit of the oldest counted cell in l's queue and
// overflow, and its sequence number; ok false if none. l.mu held.
func (l *link) oldestCirc() (id uint32, seq uint64, ok bool) {
	id, seq, ok = l.oldestOverflow()
	for i := range l.q { // not in order: refill appends older overflow cells
		if qid := l.q[i].CircID(); qid != 0 && (!ok || l.at[i] < seq) {
			id, seq, ok = qid, l.at[i], true
		}
	}
	return id, seq, ok
}

type overrun struct {
	l  *link
	id uint32
}

// shed closes the circuits that overran their queue and, past the memory
// budget, those holding the oldest cells; o.mu held.
func (o *Onion) shed() {
	for len(o.overruns) > 0 {
		r := o.overruns[0]
		o.overruns = o.overruns[1:]
		if o.closeQueued(r.l, r.id) {
			o.defence.WindowViolations++
		}
	}
	o.overruns = nil
	low := o.budgetCells * 7 / 8
	for o.queued.Load() > low {
		l, id, ok := o.oldestQueued()
		if !ok {
			break
		}
		o.closeQueued(l, id)
		o.defence.OOMClosed++
	}
	o.shedDue = false
}

// oldestQueued finds the link and circuit holding the oldest queued cell.
func (o *Onion) oldestQueued() (*link, uint32, bool) {
	var best *link
	var bestID uint32
	var bestSeq uint64
	for _, l := range o.links {
		l.mu.Lock()
		id, seq, ok := l.oldestCirc()
		l.mu.Unlock()
		if ok && (best == nil || seq < bestSeq) {
			best, bestID, bestSeq = l, id, seq
		}
	}
	return best, bestID, best != nil
}

// closeQueued closes the circuit id names on l (relayed, or one of ours)
// and drops its queued cells; it reports whether there was one to close.
func (o *Onion) closeQueued(l *link, id uint32) bool {
	l.mu.Lock()
	l.dropCirc(id) // first: the DESTROY queued below must stay
	l.mu.Unlock()
	ref := onion.CircRef{Link: l.id, CircID: id}
	found := false
	if c := o.clients[ref]; c != nil {
		o.destroyCircuit(c, ErrCircuitBroken)
		found = true
	} else {
		var acts []onion.Action
		acts, found = o.relay.CloseCircuit(ref, onion.ReasonResources, nil)
		o.execute(acts)
	}
	return found
}
