package onion

// JoinData marks circ, which ends here, as joined by a rendezvous point to
// another circuit: from then on its hidden-service cells are end-to-end
// data that the IO layer forwards one for one onto the other circuit, so
// MaxUnwindowedCells no longer counts them. They stay bounded as any
// relayed cell is: by the other circuit's output queue (which closes a
// circuit that overruns it), and by the end-to-end window the two ends
// keep, which this hop cannot read. It reports whether circ is known.
func (r *Relay) JoinData(circ CircRef) bool {
	c := r.circs[circ]
	if c == nil || c.prev != circ {
		return false
	}
	c.joined = true
	return true
}
