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

// consumeWindow is the receive side of one stream's flow control.
type consumeWindow struct {
	held    int // cells received, not yet counted consumed
	freed   int // cells counted consumed, not yet acknowledged (< inc once settled)
	arrived int // cells received, modulo inc
	unread  int // bytes delivered and not yet reported consumed
	credit  int // bytes reported consumed since the last whole-cell count
	start   int
	inc     int
	tags    [maxPendingSendmes][TagSize]byte // tags owed in SENDMEs, oldest at head
	head, n int
}

func newConsumeWindow(start, inc int) consumeWindow {
	return consumeWindow{start: start, inc: inc}
}

// onRecv records one DATA cell of size bytes whose chained tag is tag. It
// fails if the peer overran the window. A cell with no bytes is consumed at
// once if nothing before it is unread: no Read will ever report it.
func (w *consumeWindow) onRecv(size int, tag *[TagSize]byte) error {
	if w.held+w.freed >= w.start {
		return fmt.Errorf("%w: %w: stream window overrun", ErrProtocol, ErrWindowViolated)
	}
	w.held++
	w.unread += size
	if w.arrived++; w.arrived == w.inc {
		w.arrived = 0
		w.tags[(w.head+w.n)%len(w.tags)] = *tag
		w.n++
	}
	return nil
}

// consume records n bytes read by the application and returns how many
// SENDMEs are now due; take them with nextTag.
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
	w.held -= k
	w.freed += k
	return min(w.freed/w.inc, w.n), nil
}

// nextTag takes the tag of the oldest owed SENDME.
func (w *consumeWindow) nextTag() [TagSize]byte {
	t := w.tags[w.head]
	w.head = (w.head + 1) % len(w.tags)
	w.n--
	w.freed -= w.inc
	return t
}

// consumed applies n bytes read on stream id and emits the SENDMEs due.
func (e *endpoint) consumed(id uint16, n int, emit emitFunc) error {
	st, err := e.streams.get(id)
	if err != nil {
		return err
	}
	return st.recv.settle(id, n, emit)
}

// settle is consume followed by the SENDMEs it made due.
func (w *consumeWindow) settle(id uint16, n int, emit emitFunc) error {
	due, err := w.consume(n)
	for range due {
		tag := w.nextTag()
		emit(RelayMsg{Cmd: RelaySendme, StreamID: id, Data: tag[:]})
	}
	return err
}
