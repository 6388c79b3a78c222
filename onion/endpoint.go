package onion

import "fmt"

// endpoint is what both ends of a circuit (the client and the destination
// relay) keep for streams: circuit and stream windows and the stream table.
// Intermediate relays keep none of it.
type endpoint struct {
	circSend sendWindow
	circRecv recvWindow
	streams  streamSet
}

func newEndpoint() endpoint {
	return endpoint{
		circSend: newSendWindow(CircWindowStart, CircWindowIncrement),
		circRecv: newRecvWindow(CircWindowStart, CircWindowIncrement),
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
// tag is tag. The circuit SENDME is emitted on arrival when due; the
// stream's waits until the application consumed the data (consume.go). It
// reports whether the stream is known: cells for a stream that already
// ended still count for the circuit window and are then dropped.
//
// Why the circuit window may stay at arrival: it bounds only the cells in
// flight between the two ends (and so the relays' queues). What piles up at
// this end is unread stream data, and each stream's is bounded by its own
// window, so the total here is bounded by the sum of the open streams'
// windows; acknowledging the circuit on consumption as well would add
// nothing but a stall of every stream behind the slowest reader.
func (e *endpoint) onData(id uint16, size int, tag [TagSize]byte, emit emitFunc) (bool, error) {
	circDue, err := e.circRecv.onRecv()
	if err != nil {
		return false, err
	}
	if circDue {
		emit(RelayMsg{Cmd: RelaySendme, Data: tag[:]})
	}
	st := e.streams.m[id]
	if st == nil {
		return false, nil
	}
	if err := st.recv.onRecv(size, &tag); err != nil {
		return false, err
	}
	if size == 0 {
		return true, st.recv.settle(id, 0, emit)
	}
	return true, nil
}

// onSendme applies a SENDME for the circuit (id 0) or a stream.
func (e *endpoint) onSendme(id uint16, tag []byte) error {
	if id == 0 {
		return e.circSend.onSendme(tag)
	}
	st := e.streams.m[id]
	if st == nil {
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
