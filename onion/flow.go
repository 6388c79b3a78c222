package onion

// Flow control, after Tor's SENDME windows (tor-spec §7.3–7.4) with
// authenticated SENDMEs (Tor proposal 289). Only DATA cells count. The
// receiver of DATA sends a SENDME after every Increment cells the
// application consumed (ackWindow), for the circuit and for each stream
// alike (consume.go). The sender may have at most Start cells
// unacknowledged, so an end holds at most CircWindowStart unread cells per
// circuit however many streams share it.
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

// Window sizes: four times Tor's (1000 and 500 cells, DESIGN.md §5). A
// window bounds one circuit's or stream's rate to a window per round trip,
// and Tor's bound a stream on this machine's loopback processes to about
// 80 MiB/s (scripts/probe_vs_tor.sh: 84 at 1000/500, 93 at 2000/1000, 101
// to 109 at 4000/2000, in one session). What it costs: an end may hold
// 4000 unread cells (about 1.9 MiB) for one circuit, and a relay queues up
// to that much for a circuit whose next hop is slower (maxCircQueue in
// overlay), within the relay's queue budget and OOM killer.
const (
	CircWindowStart       = 4000
	CircWindowIncrement   = 100
	StreamWindowStart     = 2000
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

// ackWindow is the receive side of a window, for a circuit or a stream:
// cells arrive (onRecv) and are held until the application consumed them
// (release); a SENDME is due for every inc cells consumed, and carries the
// tag of every inc-th cell to arrive. A peer may have at most start cells
// held or consumed-but-unacknowledged.
type ackWindow struct {
	held    int // cells received, not yet consumed
	freed   int // cells consumed, not yet acknowledged
	arrived int // cells received, modulo inc
	start   int
	inc     int
	tags    [maxPendingSendmes][TagSize]byte // tags owed in SENDMEs, oldest at head
	head, n int
}

func newAckWindow(start, inc int) ackWindow { return ackWindow{start: start, inc: inc} }

// onRecv records one DATA cell whose chained tag is tag; false means the
// peer overran the window.
func (w *ackWindow) onRecv(tag *[TagSize]byte) bool {
	if w.held+w.freed >= w.start {
		return false
	}
	w.held++
	if w.arrived++; w.arrived == w.inc {
		w.arrived = 0
		w.tags[(w.head+w.n)%len(w.tags)] = *tag
		w.n++
	}
	return true
}

// release counts k held cells consumed and returns how many SENDMEs are
// now due; take their tags with nextTag.
func (w *ackWindow) release(k int) int {
	w.held -= k
	w.freed += k
	return min(w.freed/w.inc, w.n)
}

// nextTag takes the tag of the oldest owed SENDME.
func (w *ackWindow) nextTag() [TagSize]byte {
	t := w.tags[w.head]
	w.head = (w.head + 1) % len(w.tags)
	w.n--
	w.freed -= w.inc
	return t
}
