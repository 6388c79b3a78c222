package onion

import "fmt"

// A stream's receive window follows what the application consumed, not what
// arrived: DATA cells are counted as consumed only when the IO layer reports
// that the application read their bytes (Consumed), and a stream SENDME goes
// out for every StreamWindowIncrement cells consumed. A reader that stops
// reading therefore stops the sender once StreamWindowStart cells are
// unread, and what the IO layer must buffer for one stream is bounded by
// StreamWindowStart*MaxRelayData bytes.
//
// The IO layer reports bytes, but the window counts cells, and cells may
// carry fewer than MaxRelayData bytes. Cells are counted in arrival order
// and a cell counts as consumed only when it surely is: floor(bytes read /
// MaxRelayData) cells since the buffer was last empty (each cell holds at
// most MaxRelayData bytes, so that many were read whole), and every cell
// once all delivered bytes are read. The second rule keeps short cells from
// stalling the stream; the first keeps the buffer bound.
//
// The SENDME still carries the chained tag of the DATA cell that made it
// due (every StreamWindowIncrement-th cell of the stream, see flow.go), so
// that tag is remembered on arrival and sent when consumption catches up.
//
// The circuit window follows the same consumption: every cell a stream
// counts consumed is consumed for the circuit too, a cell for no stream
// counts at once, and a stream the peer ended keeps its unread cells
// charged to the circuit until the application read them or closed the
// stream (forget). Without that, an end whose application reads nothing
// would acknowledge the circuit on arrival and buffer a stream window per
// stream: MaxStreamsPerCircuit of them, or any number of ended ones.

// consumeWindow is the receive side of one stream's flow control: an
// ackWindow whose cells the IO layer reports consumed in bytes.
type consumeWindow struct {
	ackWindow
	unread int // bytes delivered and not yet reported consumed
	credit int // bytes reported consumed since the last whole-cell count
}

func newConsumeWindow(start, inc int) consumeWindow {
	return consumeWindow{ackWindow: newAckWindow(start, inc)}
}

// onRecv records one DATA cell of size bytes whose chained tag is tag. It
// fails if the peer overran the window. A cell with no bytes is consumed at
// once if nothing before it is unread: no Read will ever report it.
func (w *consumeWindow) onRecv(size int, tag *[TagSize]byte) error {
	if !w.ackWindow.onRecv(tag) {
		return fmt.Errorf("%w: %w: stream window overrun", ErrProtocol, ErrWindowViolated)
	}
	w.unread += size
	return nil
}

// consume records n bytes read by the application and returns how many
// held cells that surely consumed; pass them to release.
func (w *consumeWindow) consume(n int) (int, error) {
	if n < 0 || n > w.unread {
		return 0, fmt.Errorf("onion: consumed %d bytes of %d unread", n, w.unread)
	}
	w.unread -= n
	w.credit += n
	k := min(w.held, w.credit/MaxRelayData)
	w.credit -= k * MaxRelayData
	if w.unread == 0 {
		k, w.credit = w.held, 0
	}
	return k, nil
}

// consumed applies n bytes read on stream id (also after the peer ended
// it) and emits the SENDMEs due.
func (e *endpoint) consumed(id uint16, n int, emit emitFunc) error {
	st := e.streams.m[id]
	if st == nil {
		return fmt.Errorf("%w: %d", ErrUnknownStream, id)
	}
	return e.settle(id, st, n, emit)
}

// settle is consume followed by the SENDMEs it made due: the stream's, and
// the circuit's for the same cells. A stream the peer ended sends none of
// its own and is forgotten once nothing of it is held.
func (e *endpoint) settle(id uint16, st *stream, n int, emit emitFunc) error {
	k, err := st.recv.consume(n)
	due := st.recv.release(k)
	if st.state == streamEnded {
		if st.recv.held == 0 {
			delete(e.streams.m, id)
		}
		due = 0
	}
	for range due {
		tag := st.recv.nextTag()
		emit(RelayMsg{Cmd: RelaySendme, StreamID: id, Data: tag[:]})
	}
	e.release(k, emit)
	return err
}

// release counts k cells of the circuit consumed and emits the circuit
// SENDMEs due.
func (e *endpoint) release(k int, emit emitFunc) {
	for range e.circRecv.release(k) {
		tag := e.circRecv.nextTag()
		emit(RelayMsg{Cmd: RelaySendme, Data: tag[:]})
	}
}
