package onion

import "io"

// The RELAY_EARLY prefix, client side. Relays let EXTEND travel only in
// RELAY_EARLY cells and count at most EarlyCells of them, as a prefix of a
// circuit's forward cells (circuit_relay.go); that bounds the path length.
// The link command is bound into every layer's tweak (crypto.go), so no
// hop can rewrite the pattern the client chose.

// PadEarly ends the circuit's RELAY_EARLY prefix: call it once the path is
// built. It sends DROP cells to the last hop as RELAY_EARLY until a total
// drawn uniformly from [max(cells sent so far, padEarlyFloor), EarlyCells] is
// reached, and every later forward cell goes as RELAY.
//
// Why a random total: hop k of a circuit sees every early cell but the k-1
// EXTENDs before it, so with a fixed total (v1 padded to EarlyCells) each hop
// read its position off the count. With the total drawn per circuit, a count
// the guard sees is one a middle or exit sees as often, save at the edges of
// the range (a guard can see EarlyCells, a fourth hop 0). The count cannot
// be equal at every hop: the hops before k see a superset of k's cells, and
// the EXTENDs they carry must be early for the first hop to bound the path.
// The floor keeps what v1's fixed total gave the guard for the paths we
// build: its count has one distribution for every path of up to 4 hops.
func (c *ClientCircuit) PadEarly(out []Cell) []Cell {
	if c.usable() != nil || len(c.hops) == 0 || c.plain {
		return out
	}
	low := max(c.early, padEarlyFloor)
	target := low + c.randBelow(EarlyCells-low+1)
	for c.early < target {
		out = c.send(len(c.hops)-1, RelayMsg{Cmd: RelayDrop}, out)
	}
	c.plain = true
	return out
}

// padEarlyFloor is the fewest early cells PadEarly leaves a circuit with:
// the EXTENDs of a 4-hop path.
const padEarlyFloor = 3

// randBelow returns a uniform value in [0, n) from c.rand (n ≤ 256); 0 if
// the reader fails, which only makes the padding shorter.
func (c *ClientCircuit) randBelow(n int) int {
	var b [1]byte
	limit := 256 - 256%n
	for {
		if _, err := io.ReadFull(c.rand, b[:]); err != nil {
			return 0
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
