package onion

import (
	"fmt"
	"io"
)

// HopSpec names a relay to build through: its opaque identity (e.g. a libp2p
// peer ID, at most MaxIdentityLen bytes) and its X25519 onion public key,
// both from its verified descriptor.
type HopSpec struct {
	Identity []byte
	OnionKey [32]byte
}

// ClientCircuit is the client end of one circuit: it builds the circuit hop
// by hop (CREATE, then EXTEND telescoping), wraps and unwraps cells, and
// multiplexes streams with flow control. It lives on the link to its first
// hop under CircID. Not safe for concurrent use.
//
// Driving it: send the CREATE cell from NewClientCircuit; feed every cell
// arriving on the link for CircID to HandleCell and write the cells it
// appends to out; on EventHopAdded call Extend for the next hop until the
// path is complete; then Begin, Send and End streams, and call Consumed as
// the application reads what EventData delivered (the stream's window
// reopens only then). Any error from HandleCell closes the circuit (a
// DESTROY for the link is appended to out).
type ClientCircuit struct {
	rand    io.Reader
	circID  uint32
	hops    []hopLayers
	pending *ClientHandshake
	early   int  // forward RELAY_EARLY cells sent
	plain   bool // PadEarly ran: every later forward cell is RELAY
	hs      bool // hidden-service cells allowed (AllowHiddenService)
	drops   int  // backward DROP cells still allowed (SetPaddingBudget)
	closed  error
	ep      endpoint
}

// NewClientCircuit starts a circuit whose first hop is first, on a link
// where circID is free. It returns the CREATE cell to send.
func NewClientCircuit(rand io.Reader, circID uint32, first HopSpec) (*ClientCircuit, *Cell, error) {
	hs, payload, err := StartHandshake(rand, first.Identity, first.OnionKey)
	if err != nil {
		return nil, nil, err
	}
	cell, err := newLinkCell(rand, circID, CmdCreate, payload[:])
	if err != nil {
		return nil, nil, err
	}
	c := &ClientCircuit{rand: rand, circID: circID, pending: hs, ep: newEndpoint()}
	return c, cell, nil
}

// CircID is the circuit's ID on the link to the first hop.
func (c *ClientCircuit) CircID() uint32 { return c.circID }

// Hops is the number of hops built so far.
func (c *ClientCircuit) Hops() int { return len(c.hops) }

// Err is nil while the circuit is usable, else why it closed.
func (c *ClientCircuit) Err() error { return c.closed }

// Extend asks the last hop to extend the circuit to next.
func (c *ClientCircuit) Extend(next HopSpec, out []Cell) ([]Cell, error) {
	if err := c.usable(); err != nil {
		return out, err
	}
	if c.pending != nil || len(c.hops) == 0 {
		return out, fmt.Errorf("%w: extend while building", ErrProtocol)
	}
	if len(c.hops) >= MaxHops {
		return out, ErrTooManyHops
	}
	if len(next.Identity) > MaxIdentityLen {
		return out, fmt.Errorf("%w: identity of %d bytes", ErrMalformed, len(next.Identity))
	}
	hs, payload, err := StartHandshake(c.rand, next.Identity, next.OnionKey)
	if err != nil {
		return out, err
	}
	c.pending = hs
	data := appendExtend(nil, payload, next.Identity)
	return c.send(len(c.hops)-1, RelayMsg{Cmd: RelayExtend, Data: data}, out), nil
}

// Truncate asks hop (1-based) to drop everything after it.
func (c *ClientCircuit) Truncate(hop int, out []Cell) ([]Cell, error) {
	if err := c.usable(); err != nil {
		return out, err
	}
	if hop < 1 || hop >= len(c.hops) {
		return out, fmt.Errorf("%w: truncate at hop %d of %d", ErrProtocol, hop, len(c.hops))
	}
	return c.send(hop-1, RelayMsg{Cmd: RelayTruncate}, out), nil
}

// AllowHiddenService marks the circuit as a hidden-service circuit: relay
// cells in [RelayHSFirst, RelayHSLast] are delivered as EventRelay. On any
// other circuit they close it (ErrUnexpectedCell).
func (c *ClientCircuit) AllowHiddenService() { c.hs = true }

// SetPaddingBudget allows n backward DROP cells (padding negotiated with the
// circuit's hops). Beyond the budget, and on a circuit with none (the
// default), a DROP closes the circuit: a hop that can inject cells the
// client silently swallows has a signal ("dropmark") to a colluding watcher.
func (c *ClientCircuit) SetPaddingBudget(n int) { c.drops = n }

// Destroy closes the circuit and returns the DESTROY cell for the link.
func (c *ClientCircuit) Destroy(out []Cell) []Cell {
	if c.closed == nil {
		c.closed = ErrCircuitClosed
	}
	return c.appendDestroy(ReasonRequested, out)
}

// SendRelay sends a relay message (e.g. a hidden-service cell) to hop
// (1-based).
func (c *ClientCircuit) SendRelay(hop int, m RelayMsg, out []Cell) ([]Cell, error) {
	if err := c.usable(); err != nil {
		return out, err
	}
	if hop < 1 || hop > len(c.hops) || !m.Cmd.Valid() || len(m.Data) > MaxRelayData {
		return out, fmt.Errorf("%w: bad relay message for hop %d", ErrProtocol, hop)
	}
	return c.send(hop-1, m, out), nil
}

func (c *ClientCircuit) usable() error {
	return c.closed
}

// send wraps m for hop (0-based) in every layer up to it and appends the
// cell. It returns out with the cell appended; the hop's forward chain is
// then the cell's tag.
func (c *ClientCircuit) send(hop int, m RelayMsg, out []Cell) []Cell {
	out = append(out, Cell{})
	cell := &out[len(out)-1]
	cmd := CmdRelay
	if !c.plain && c.early < EarlyCells {
		cmd = CmdRelayEarly
		c.early++
	}
	cell.SetHeader(c.circID, cmd)
	body := cell.Body()
	_ = EncodeRelay(body, m) // callers validated m
	c.hops[hop].fwd.seal(body, cmd)
	for i := hop - 1; i >= 0; i-- {
		c.hops[i].fwd.encrypt(body, cmd)
	}
	return out
}

func (c *ClientCircuit) appendDestroy(reason DestroyReason, out []Cell) []Cell {
	cell, err := NewDestroyCell(c.rand, c.circID, reason)
	if err != nil { // no randomness: a zero-padded DESTROY still closes
		cell = new(Cell)
		cell.SetHeader(c.circID, CmdDestroy)
		cell.Body()[0] = byte(reason)
	}
	return append(out, *cell)
}

// fail closes the circuit because of err and appends a DESTROY.
func (c *ClientCircuit) fail(err error, reason DestroyReason, out []Cell) (Event, []Cell, error) {
	c.closed = err
	return Event{}, c.appendDestroy(reason, out), err
}
