package onion

import "fmt"

// endpoint is what both ends of a circuit (the client and the destination
// relay) keep for streams: circuit and stream windows and the stream table.
// Intermediate relays keep none of it.
type endpoint struct {
	circSend sendWindow
	circRecv ackWindow
	streams  streamSet
}

func newEndpoint() endpoint {
	return endpoint{
		circSend: newSendWindow(CircWindowStart, CircWindowIncrement),
		circRecv: newAckWindow(CircWindowStart, CircWindowIncrement),
	}
}

// emitFunc enciphers m towards the other end, queues the cell and returns
// the chained tag of the endpoint layer after it.
type emitFunc func(m RelayMsg) [TagSize]byte

// sendData splits data into DATA cells on stream id as far as the windows
// allow and returns how many bytes were taken.
func (e *endpoint) sendData(id uint16, data []byte, emit emitFunc) (int, error) {
	st, err := e.streams.get(id)
	if err != nil {
		return 0, err
	}
	n := 0
	for n < len(data) && e.streams.sendable(id, &e.circSend) > 0 {
		chunk := data[n:min(len(data), n+MaxRelayData)]
		tag := emit(RelayMsg{Cmd: RelayData, StreamID: id, Data: chunk})
		e.circSend.onSend(&tag)
		st.send.onSend(&tag)
		n += len(chunk)
	}
	if n == 0 && len(data) > 0 {
		return 0, ErrWindowExhausted
	}
	return n, nil
}

// onData accounts one received DATA cell carrying size bytes, whose chained
// tag is tag. SENDMEs wait until the application consumed the data
// (consume.go), for the circuit as for the stream. It reports whether the
// stream is open: cells for a stream that ended are dropped, and so count
// consumed at once.
func (e *endpoint) onData(id uint16, size int, tag [TagSize]byte, emit emitFunc) (bool, error) {
	if !e.circRecv.onRecv(&tag) {
		return false, fmt.Errorf("%w: %w: window overrun", ErrProtocol, ErrWindowViolated)
	}
	st := e.streams.m[id]
	if st == nil || st.state == streamEnded {
		e.release(1, emit)
		return false, nil
	}
	if err := st.recv.onRecv(size, &tag); err != nil {
		return false, err
	}
	if size == 0 {
		return true, e.settle(id, st, 0, emit)
	}
	return true, nil
}

// remoteEnd records the peer's END on stream id and reports whether the
// stream was open. Its unread cells stay charged to the circuit: the
// stream is kept, ended, until they are read or it is forgotten.
func (e *endpoint) remoteEnd(id uint16) bool {
	st := e.streams.m[id]
	if st == nil || st.state == streamEnded {
		return false
	}
	st.state = streamEnded
	if st.recv.held == 0 {
		delete(e.streams.m, id)
	}
	return true
}

// forget drops stream id, open or ended, as the application closes it: its
// unread cells count consumed. It reports whether the stream was open (an
// END is then due).
func (e *endpoint) forget(id uint16, emit emitFunc) (bool, error) {
	st := e.streams.m[id]
	if st == nil {
		return false, fmt.Errorf("%w: %d", ErrUnknownStream, id)
	}
	delete(e.streams.m, id)
	e.release(st.recv.held, emit)
	return st.state != streamEnded, nil
}

// onSendme applies a SENDME for the circuit (id 0) or a stream.
func (e *endpoint) onSendme(id uint16, tag []byte) error {
	if id == 0 {
		return e.circSend.onSendme(tag)
	}
	st := e.streams.m[id]
	if st == nil || st.state == streamEnded {
		return nil // the stream ended while the SENDME was in flight
	}
	return st.send.onSendme(tag)
}

// onConnected marks a stream we opened as open.
func (e *endpoint) onConnected(id uint16) error {
	st, err := e.streams.get(id)
	if err != nil {
		return err
	}
	if st.state != streamOpening {
		return fmt.Errorf("%w: CONNECTED on open stream", ErrProtocol)
	}
	st.state = streamOpen
	return nil
}
