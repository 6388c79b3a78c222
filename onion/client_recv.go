package onion

import (
	"errors"
	"fmt"
)

// HandleCell processes one cell that arrived for this circuit on the first
// hop's link. Cells to send in reply (SENDMEs, DESTROY) are appended to out.
// A returned error means the circuit is closed; ErrTagMismatch means a cell
// was modified on the way (tagging) or the path lost sync.
func (c *ClientCircuit) HandleCell(cell *Cell, out []Cell) (Event, []Cell, error) {
	if c.closed != nil {
		return Event{}, out, c.closed
	}
	switch cell.Cmd() {
	case CmdPadding:
		return Event{}, out, nil
	case CmdCreated:
		return c.onCreated(cell, out)
	case CmdDestroy:
		reason := reasonOf(cell.Body()[:1])
		c.closed = fmt.Errorf("%w: destroyed by first hop (reason %d)", ErrCircuitClosed, reason)
		return Event{Kind: EventDestroyed, Reason: reason}, out, nil
	case CmdRelay:
		return c.onRelay(cell, out)
	}
	// RELAY_EARLY never travels backward, CREATE never to a client, and
	// unknown commands have no meaning: each is a signal, not a cell.
	return c.fail(fmt.Errorf("%w: %v cell on a client circuit", ErrUnexpectedCell, cell.Cmd()), ReasonProtocol, out)
}

func (c *ClientCircuit) onCreated(cell *Cell, out []Cell) (Event, []Cell, error) {
	if c.pending == nil || len(c.hops) != 0 {
		return c.fail(fmt.Errorf("%w: unexpected CREATED", ErrProtocol), ReasonProtocol, out)
	}
	return c.addHop(cell.Body()[:HandshakeSize], out)
}

func (c *ClientCircuit) addHop(reply []byte, out []Cell) (Event, []Cell, error) {
	keys, err := c.pending.Finish(reply)
	c.pending = nil
	if err != nil {
		return c.fail(err, ReasonProtocol, out)
	}
	c.hops = append(c.hops, newHopLayers(keys))
	return Event{Kind: EventHopAdded, Hop: len(c.hops)}, out, nil
}

// unwrap removes layers from the first hop on until one recognizes the
// cell, and returns that hop (0-based).
func (c *ClientCircuit) unwrap(body *[BodySize]byte) (int, error) {
	for i := range c.hops {
		if c.hops[i].bwd.open(body, CmdRelay) {
			return i, nil
		}
	}
	return 0, ErrTagMismatch
}

func (c *ClientCircuit) onRelay(cell *Cell, out []Cell) (Event, []Cell, error) {
	body := cell.Body()
	hop, err := c.unwrap(body)
	if err != nil {
		return c.fail(err, ReasonIntegrity, out)
	}
	m, err := DecodeRelay(body)
	if err != nil {
		return c.fail(err, ReasonProtocol, out)
	}
	ev, out, err := c.dispatch(hop, m, out)
	if err != nil {
		reason := ReasonProtocol
		if errors.Is(err, ErrSendmeForged) {
			reason = ReasonIntegrity
		}
		return c.fail(err, reason, out)
	}
	ev.Hop = hop + 1
	return ev, out, nil
}

func (c *ClientCircuit) dispatch(hop int, m RelayMsg, out []Cell) (Event, []Cell, error) {
	last := hop == len(c.hops)-1
	switch {
	case m.Cmd == RelayDrop:
		if c.drops--; c.drops < 0 {
			return Event{}, out, fmt.Errorf("%w: DROP beyond the padding budget", ErrUnexpectedCell)
		}
		return Event{}, out, nil
	case m.Cmd == RelayExtended && last && c.pending != nil:
		return c.addHop(m.Data, out)
	case m.Cmd == RelayTruncated:
		return c.onTruncated(hop, m, out)
	case m.Cmd >= RelayHSFirst && m.Cmd <= RelayHSLast:
		if !c.hs {
			return Event{}, out, fmt.Errorf("%w: %v on a circuit that is not a hidden-service one", ErrUnexpectedCell, m.Cmd)
		}
		return Event{Kind: EventRelay, Cmd: m.Cmd, StreamID: m.StreamID, Data: m.Data}, out, nil
	case !last:
		return Event{}, out, fmt.Errorf("%w: %v from inner hop %d", ErrProtocol, m.Cmd, hop+1)
	}
	return c.onStreamCell(m, out)
}

func (c *ClientCircuit) onTruncated(hop int, m RelayMsg, out []Cell) (Event, []Cell, error) {
	reason := reasonOf(m.Data)
	if reason == ReasonIntegrity {
		// A hop further on saw a cell fail its check: the path is tampered
		// with or broken somewhere, so the whole circuit is suspect.
		return Event{}, out, fmt.Errorf("%w: reported beyond hop %d", ErrTagMismatch, hop+1)
	}
	c.hops = c.hops[:hop+1]
	if c.pending != nil {
		c.pending = nil
		return Event{Kind: EventExtendFailed, Reason: reason}, out, nil
	}
	c.ep = newEndpoint() // streams and windows ended with the destination
	return Event{Kind: EventTruncated, Reason: reason}, out, nil
}

func (c *ClientCircuit) onStreamCell(m RelayMsg, out []Cell) (Event, []Cell, error) {
	ev := Event{StreamID: m.StreamID, Data: m.Data}
	var err error
	switch m.Cmd {
	case RelayConnected:
		ev.Kind, err = EventConnected, c.ep.onConnected(m.StreamID)
	case RelayData:
		var known bool
		known, err = c.ep.onData(m.StreamID, len(m.Data), c.hops[len(c.hops)-1].bwd.chain, c.emitter(&out))
		if known {
			ev.Kind = EventData
		}
	case RelayEnd:
		ev.Kind, ev.Reason = EventEnd, reasonOf(m.Data)
		c.ep.remoteEnd(m.StreamID)
	case RelaySendme:
		err = c.ep.onSendme(m.StreamID, m.Data)
	default:
		err = fmt.Errorf("%w: %v at client", ErrProtocol, m.Cmd)
	}
	return ev, out, err
}

// emitter returns an emitFunc appending cells for the last hop to *out.
func (c *ClientCircuit) emitter(out *[]Cell) emitFunc {
	return func(m RelayMsg) [TagSize]byte {
		last := len(c.hops) - 1
		*out = c.send(last, m, *out)
		return c.hops[last].fwd.chain
	}
}
