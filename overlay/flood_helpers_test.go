package overlay

import "cyclecash/onion"

// takeQueued empties l's queue as its writer would, returning the cells.
func (l *link) takeQueued() []onion.Cell {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := append([]onion.Cell(nil), l.q...)
	l.q, l.at = l.q[:0], l.at[:0]
	l.uncount(q)
	return q
}
