package onion

import (
	"errors"
	"fmt"
)

// The destination role: a relay with AcceptStreams ends circuits and exposes
// their streams to the caller as ActBegin/ActData/ActEnd actions; the caller
// answers with Connected, StreamSend and EndStream.

// onStreamCell handles BEGIN, DATA, END and SENDME addressed to this hop.
func (r *Relay) onStreamCell(c *relayCirc, m RelayMsg, out []Action) ([]Action, error) {
	if m.Cmd == RelayBegin && !r.cfg.AcceptStreams {
		end := RelayMsg{Cmd: RelayEnd, StreamID: m.StreamID, Data: []byte{byte(ReasonRefused)}}
		return r.originate(c, end, out), nil
	}
	if c.ep == nil {
		if m.Cmd != RelayBegin {
			return r.fail(c, fmt.Errorf("%w: %v before BEGIN", ErrProtocol, m.Cmd), ReasonProtocol, out)
		}
		ep := newEndpoint()
		c.ep = &ep
	}
	out, err := r.streamCell(c, m, out)
	if err != nil {
		if errors.Is(err, ErrWindowViolated) {
			r.counters.WindowViolations++
		}
		return r.fail(c, err, ReasonProtocol, out)
	}
	return out, nil
}

func (r *Relay) streamCell(c *relayCirc, m RelayMsg, out []Action) ([]Action, error) {
	a := Action{Circ: c.prev, StreamID: m.StreamID}
	switch m.Cmd {
	case RelayBegin:
		target, err := parseBegin(m.Data)
		if err != nil {
			return out, err
		}
		st := c.ep.streams.m[m.StreamID]
		if st != nil && st.state != streamEnded {
			return out, fmt.Errorf("%w: stream %d already open", ErrProtocol, m.StreamID)
		}
		// An ended stream still unread holds its ID and its slot.
		if st != nil || len(c.ep.streams.m) >= MaxStreamsPerCircuit {
			end := RelayMsg{Cmd: RelayEnd, StreamID: m.StreamID, Data: []byte{byte(ReasonResources)}}
			return r.originate(c, end, out), nil
		}
		if _, err := c.ep.streams.add(m.StreamID); err != nil {
			return out, err
		}
		a.Kind, a.Target = ActBegin, target
	case RelayData:
		known, err := c.ep.onData(m.StreamID, len(m.Data), c.layers.fwd.chain, r.emitter(c, &out))
		if err != nil || !known {
			return out, err
		}
		a.Kind, a.Data = ActData, m.Data
	case RelayEnd:
		if !c.ep.remoteEnd(m.StreamID) {
			return out, nil // both ends closed at once
		}
		a.Kind, a.Reason = ActEnd, reasonOf(m.Data)
	case RelaySendme:
		return out, c.ep.onSendme(m.StreamID, m.Data)
	}
	return append(out, a), nil
}

// emitter returns an emitFunc that originates cells back to the client.
func (r *Relay) emitter(c *relayCirc, out *[]Action) emitFunc {
	return func(m RelayMsg) [TagSize]byte {
		*out = r.originate(c, m, *out)
		return c.layers.bwd.chain
	}
}

// endpointOf finds a circuit ending here with streams, by its client-side ref.
func (r *Relay) endpointOf(circ CircRef) (*relayCirc, error) {
	c := r.circs[circ]
	if c == nil || c.prev != circ {
		return nil, fmt.Errorf("%w: %d", ErrUnknownCircuit, circ.CircID)
	}
	if c.ep == nil {
		return nil, fmt.Errorf("%w: no streams on circuit", ErrUnknownStream)
	}
	return c, nil
}

// Connected accepts stream id (after ActBegin) and tells the client.
func (r *Relay) Connected(circ CircRef, id uint16, out []Action) ([]Action, error) {
	c, err := r.endpointOf(circ)
	if err != nil {
		return out, err
	}
	if _, err := c.ep.streams.get(id); err != nil {
		return out, err
	}
	return r.originate(c, RelayMsg{Cmd: RelayConnected, StreamID: id}, out), nil
}

// StreamSend sends as much of data on the stream as the windows allow and
// returns how many bytes were taken (ErrWindowExhausted if none).
func (r *Relay) StreamSend(circ CircRef, id uint16, data []byte, out []Action) (int, []Action, error) {
	c, err := r.endpointOf(circ)
	if err != nil {
		return 0, out, err
	}
	n, err := c.ep.sendData(id, data, r.emitter(c, &out))
	return n, out, err
}

// Consumed reports that the application read n more bytes of what stream
// id delivered in ActData actions (also after the stream's ActEnd), and
// appends the stream and circuit SENDMEs that became due. Until it is
// called the client can send at most StreamWindowStart cells more on the
// stream, and CircWindowStart on the circuit; see consume.go.
func (r *Relay) Consumed(circ CircRef, id uint16, n int, out []Action) ([]Action, error) {
	c, err := r.endpointOf(circ)
	if err != nil {
		return out, err
	}
	return out, c.ep.consumed(id, n, r.emitter(c, &out))
}

// StreamWindow returns how many DATA cells the stream may send now.
func (r *Relay) StreamWindow(circ CircRef, id uint16) int {
	c, err := r.endpointOf(circ)
	if err != nil {
		return 0
	}
	return c.ep.streams.sendable(id, &c.ep.circSend)
}

// EndStream closes the stream (refusing it, if it was never connected):
// its unread bytes count consumed, and the client is told unless it ended
// the stream first.
func (r *Relay) EndStream(circ CircRef, id uint16, reason DestroyReason, out []Action) ([]Action, error) {
	c, err := r.endpointOf(circ)
	if err != nil {
		return out, err
	}
	open, err := c.ep.forget(id, r.emitter(c, &out))
	if !open {
		return out, err
	}
	return r.originate(c, RelayMsg{Cmd: RelayEnd, StreamID: id, Data: []byte{byte(reason)}}, out), nil
}

// SendRelay originates a relay cell (e.g. a hidden-service cell) from this
// hop back to the client of circ.
func (r *Relay) SendRelay(circ CircRef, m RelayMsg, out []Action) ([]Action, error) {
	c := r.circs[circ]
	if c == nil || c.prev != circ {
		return out, fmt.Errorf("%w: %d", ErrUnknownCircuit, circ.CircID)
	}
	if !m.Cmd.Valid() || len(m.Data) > MaxRelayData {
		return out, fmt.Errorf("%w: bad relay message", ErrProtocol)
	}
	return r.originate(c, m, out), nil
}
