package onion

// CloseCircuit destroys circ (its client-side reference) in both
// directions, as a protocol error would: the IO layer's hidden-service
// code uses it when a cell arrives that the circuit's role does not allow,
// and to take down the partner of a joined rendezvous circuit.
func (r *Relay) CloseCircuit(circ CircRef, reason DestroyReason, out []Action) []Action {
	c := r.circs[circ]
	if c == nil || c.prev != circ {
		return out
	}
	return r.destroy(c, reason, true, out)
}
