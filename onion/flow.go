package onion

// Flow control, after Tor's SENDME windows (tor-spec §7.3–7.4) with
// authenticated SENDMEs (Tor proposal 289). Only DATA cells count. The
// receiver of DATA sends a SENDME after every Increment cells: for the
// circuit as they arrive (recvWindow), for a stream as the application
// consumes them (consumeWindow, consume.go). The sender may have at most
// Start cells unacknowledged.
//
// Binding: a SENDME carries the chained tag (the endpoint layer's chain value
// right after the cell, see crypto.go) of the DATA cell that triggered it.
// Only someone who removed that layer from that very cell knows the value, so
// a peer cannot acknowledge cells it never received to make the sender flood
// the circuit, and intermediate hops cannot forge one either.

import (
	"crypto/subtle"
	"fmt"
)

// Window sizes.
const (
	CircWindowStart       = 1000
	CircWindowIncrement   = 100
	StreamWindowStart     = 500
	StreamWindowIncrement = 50

	// maxPendingSendmes is Start/Increment, the same for circuits and streams.
	maxPendingSendmes = CircWindowStart / CircWindowIncrement
)

// sendWindow tracks how many DATA cells may still be sent, and the tags the
// next SENDMEs must carry.
type sendWindow struct {
	avail, inc int
	sent       int // DATA cells sent, modulo inc
	expect     [maxPendingSendmes][TagSize]byte
	head, n    int
}

func newSendWindow(start, inc int) sendWindow { return sendWindow{avail: start, inc: inc} }

// onSend records one DATA cell sent; tag is its chained tag.
func (w *sendWindow) onSend(tag *[TagSize]byte) {
	w.avail--
	w.sent++
	if w.sent < w.inc {
		return
	}
	w.sent = 0
	w.expect[(w.head+w.n)%len(w.expect)] = *tag
	w.n++
}

// onSendme checks a SENDME's tag against the oldest outstanding one and
// opens the window.
func (w *sendWindow) onSendme(tag []byte) error {
	if w.n == 0 {
		return fmt.Errorf("%w: nothing outstanding", ErrSendmeForged)
	}
	if len(tag) != TagSize || subtle.ConstantTimeCompare(tag, w.expect[w.head][:]) != 1 {
		return fmt.Errorf("%w: tag mismatch", ErrSendmeForged)
	}
	w.head = (w.head + 1) % len(w.expect)
	w.n--
	w.avail += w.inc
	return nil
}

// recvWindow counts received DATA cells and says when a circuit SENDME is
// due.
type recvWindow struct {
	got, start, inc int
}

func newRecvWindow(start, inc int) recvWindow { return recvWindow{start: start, inc: inc} }

// onRecv records one DATA cell received. It fails if the peer overran the
// window, and reports whether a SENDME must be sent now.
func (w *recvWindow) onRecv() (sendme bool, err error) {
	w.got++
	if w.got > w.start {
		return false, fmt.Errorf("%w: %w: window overrun", ErrProtocol, ErrWindowViolated)
	}
	if w.got%w.inc != 0 {
		return false, nil
	}
	w.got -= w.inc
	return true, nil
}
