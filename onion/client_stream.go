package onion

import "fmt"

// Begin opens a stream to the named service at the last hop and appends the
// BEGIN cell. Data may be sent once EventConnected arrives.
func (c *ClientCircuit) Begin(target string, out []Cell) (uint16, []Cell, error) {
	if err := c.ready(); err != nil {
		return 0, out, err
	}
	if len(target) == 0 || len(target) > MaxTargetLen {
		return 0, out, fmt.Errorf("%w: target length %d", ErrMalformed, len(target))
	}
	id, _, err := c.ep.streams.open()
	if err != nil {
		return 0, out, err
	}
	m := RelayMsg{Cmd: RelayBegin, StreamID: id, Data: []byte(target)}
	return id, c.send(len(c.hops)-1, m, out), nil
}

// Send queues as much of data on the stream as the windows allow, appending
// DATA cells to out, and returns how many bytes were taken. It returns
// ErrWindowExhausted when nothing could be sent: wait for more cells to
// arrive (SENDMEs) and call again.
func (c *ClientCircuit) Send(id uint16, data []byte, out []Cell) (int, []Cell, error) {
	if err := c.ready(); err != nil {
		return 0, out, err
	}
	n, err := c.ep.sendData(id, data, c.emitter(&out))
	return n, out, err
}

// SendWindow returns how many DATA cells (of MaxRelayData bytes each) the
// stream may send right now; 0 means blocked until a SENDME arrives.
func (c *ClientCircuit) SendWindow(id uint16) int {
	if c.ready() != nil {
		return 0
	}
	return c.ep.streams.sendable(id, &c.ep.circSend)
}

// Consumed reports that the application read n more bytes of what stream
// id delivered in EventData events (also after its EventEnd), and appends
// the stream and circuit SENDMEs that became due. Until it is called the
// destination can send at most StreamWindowStart cells more on the stream,
// and CircWindowStart on the circuit; see consume.go.
func (c *ClientCircuit) Consumed(id uint16, n int, out []Cell) ([]Cell, error) {
	if err := c.ready(); err != nil {
		return out, err
	}
	err := c.ep.consumed(id, n, c.emitter(&out))
	return out, err
}

// End closes the stream and appends the END cell, unless the destination
// ended it first; its unread bytes count consumed.
func (c *ClientCircuit) End(id uint16, out []Cell) ([]Cell, error) {
	if err := c.ready(); err != nil {
		return out, err
	}
	open, err := c.ep.forget(id, c.emitter(&out))
	if !open {
		return out, err
	}
	m := RelayMsg{Cmd: RelayEnd, StreamID: id, Data: []byte{byte(ReasonNone)}}
	return c.send(len(c.hops)-1, m, out), nil
}

// ready reports whether streams can be used: open and not mid-extension.
func (c *ClientCircuit) ready() error {
	if c.closed != nil {
		return c.closed
	}
	if len(c.hops) == 0 || c.pending != nil {
		return fmt.Errorf("%w: circuit not built", ErrProtocol)
	}
	return nil
}
