package overlay

import "cyclecash/onion"

// takeQueued empties l's queue as its writer would, returning the cells.
func (l *link) takeQueued() []onion.Cell {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := make([]onion.Cell, 0, len(l.q)+l.overflowLen())
	for len(l.q) > 0 {
		q = append(q, l.q...)
		l.q, l.at = l.q[:0], l.at[:0]
		l.refill()
	}
	l.uncount(q)
	return q
}

// queuedLen counts l's queued cells, overflow included.
func (l *link) queuedLen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.q) + l.overflowLen()
}

// overflowLen counts l's overflow cells; l.mu held.
func (l *link) overflowLen() int {
	n := 0
	for _, ov := range l.fair.over {
		n += ov.len()
	}
	return n
}
