package overlay

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// MaxStreamBuffer bounds the received, unread bytes of one stream. Read
// reports what the application consumed to onion, which acknowledges a
// stream's DATA cells only then, so a peer that respects the stream window
// never has more than onion.StreamWindowStart cells (StreamWindowStart *
// MaxRelayData bytes, about 973 KiB) unread here. The limit sits one cell
// above that as a defence against a peer that ignores windows: past it the
// stream is reset with ErrReceiveOverflow. (onion closes such a circuit
// first when the overrun is in cells; this catches anything else.)
const MaxStreamBuffer = (onion.StreamWindowStart + 1) * onion.MaxRelayData

// consumeReport is how many read bytes Read gathers before it reports them
// to onion (under the Onion's lock); it reports at once whenever the buffer
// runs empty. A quarter of a SENDME's worth: few lock acquisitions for
// small reads, little delay for the SENDME.
const consumeReport = onion.StreamWindowIncrement * onion.MaxRelayData / 4

// Stream is one stream over a circuit, a net.Conn. On the client it runs to
// a named service at the circuit's destination; on a gateway it is what
// the service's handler gets. Writes block while the flow-control windows
// are shut, and they stay shut while the other side's application does not
// read: a slow reader slows the writer, end to end. When the circuit
// breaks, Read and Write return an error wrapping ErrCircuitBroken: bytes
// already returned by Read arrived intact, but bytes accepted by Write may
// not have reached the service, so the caller retries the request on a new
// stream (DialService builds a new circuit). Nothing is dropped without
// such an error.
type Stream struct {
	o       *Onion
	circ    *Circuit      // client end; nil at the destination
	dref    onion.CircRef // destination end: the circuit's ref at the relay
	id      uint16
	peer    peer.ID // client: the destination; destination: the last relay
	service string

	// Guarded by o.mu.
	ended bool  // END sent or received: nothing more may be sent
	wfail error // why writes fail

	mu        sync.Mutex
	connected bool
	buf       []byte
	off       int
	unacked   int // bytes read, not yet reported to onion (consumeReport)
	rerr      error
	closed    bool
	rdl, wdl  time.Time
	rwake     chan struct{}
	wwake     chan struct{}
}

var _ net.Conn = (*Stream)(nil)

func newStream(o *Onion, c *Circuit, dref onion.CircRef, id uint16, p peer.ID, service string) *Stream {
	return &Stream{o: o, circ: c, dref: dref, id: id, peer: p, service: service,
		rwake: make(chan struct{}, 1), wwake: make(chan struct{}, 1)}
}

// Peer is the other end as this node knows it: the destination on the
// client, the last relay on the gateway.
func (s *Stream) Peer() peer.ID { return s.peer }

// Service is the service name the stream was opened to.
func (s *Stream) Service() string { return s.service }

// Read reads received bytes; after the stream ends it returns io.EOF, or
// the error that broke it.
func (s *Stream) Read(p []byte) (int, error) {
	n, report, err := s.read(p)
	if report > 0 {
		s.o.streamConsumed(s, report)
	}
	return n, err
}

// read takes buffered bytes, waiting for some, and returns how many read
// bytes are now due to be reported consumed.
func (s *Stream) read(p []byte) (n, report int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.off < len(s.buf) {
			n := copy(p, s.buf[s.off:])
			s.off += n
			s.compact()
			return n, s.toReport(n), nil
		}
		if s.closed {
			return 0, 0, fmt.Errorf("%w: read after close", ErrStreamClosed)
		}
		if s.rerr != nil {
			return 0, 0, s.rerr
		}
		if err := s.waitLocked(s.rwake, &s.rdl); err != nil {
			return 0, 0, err
		}
	}
}

// toReport adds n read bytes to those not yet reported and returns what to
// report now: consumeReport bytes or more, or all once the buffer is empty
// (onion counts short cells consumed only then); s.mu held.
func (s *Stream) toReport(n int) int {
	s.unacked += n
	if s.unacked < consumeReport && s.off < len(s.buf) {
		return 0
	}
	n, s.unacked = s.unacked, 0
	return n
}

func (s *Stream) compact() {
	switch {
	case s.off == len(s.buf):
		s.buf, s.off = s.buf[:0], 0
	case s.off > 64<<10 && s.off > len(s.buf)/2: // a reader that never drains
		s.buf = append(s.buf[:0], s.buf[s.off:]...)
		s.off = 0
	}
}

// sendChunk is how many bytes of a Write one streamSend takes: 32 cells.
// The cells one acquisition of the Onion's lock produced reach the link
// writer only when the lock is released (link.enqueue), so a 256 KiB Write
// taken whole encrypted 500 cells (then a full stream window, every layer of
// each) before its first cell left, and held the lock, and with it the
// SENDMEs arriving on the node's links, all that time. In 32-cell pieces
// the writer starts on the first while the rest are being encrypted.
const sendChunk = 32 * onion.MaxRelayData

// Write sends p, blocking while the windows are shut.
func (s *Stream) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		n, err := s.o.streamSend(s, p[:min(len(p), sendChunk)])
		total += n
		p = p[n:]
		if err == nil {
			continue
		}
		if !errors.Is(err, onion.ErrWindowExhausted) {
			return total, err
		}
		s.mu.Lock()
		err = s.waitLocked(s.wwake, &s.wdl)
		s.mu.Unlock()
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// waitLocked waits for a wake-up on ch or the deadline; s.mu held.
func (s *Stream) waitLocked(ch chan struct{}, deadline *time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(*deadline)
		if d <= 0 {
			return os.ErrDeadlineExceeded
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	s.mu.Unlock()
	defer s.mu.Lock()
	select {
	case <-ch:
	case <-timeout:
	}
	return nil
}

// Close ends the stream (an END to the other side) and fails blocked calls.
func (s *Stream) Close() error {
	s.o.mu.Lock()
	s.o.endLocked(s, onion.ReasonNone)
	s.wfail = fmt.Errorf("%w: write after close", ErrStreamClosed)
	s.o.unlock()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wakeReader()
	s.wakeWriter()
	return nil
}

// push appends received bytes; false means the buffer overflowed.
func (s *Stream) push(data []byte) bool {
	s.mu.Lock()
	ok := s.closed || len(s.buf)-s.off+len(data) <= MaxStreamBuffer
	if ok && !s.closed {
		s.buf = append(s.buf, data...)
	}
	s.mu.Unlock()
	s.wakeReader()
	return ok
}

func (s *Stream) setConnected() {
	s.mu.Lock()
	s.connected = true
	s.mu.Unlock()
	s.wakeReader()
}

// remoteEnd records the other side's END; o.mu held.
func (s *Stream) remoteEnd(reason onion.DestroyReason) {
	s.ended = true
	s.wfail = fmt.Errorf("%w: the other side ended the stream", ErrStreamClosed)
	err := io.EOF
	if reason == onion.ReasonRefused {
		err = ErrServiceRefused
	} else if reason != onion.ReasonNone {
		err = fmt.Errorf("%w: stream reset by the other side (reason %d)", ErrCircuitBroken, reason)
	}
	s.setReadErr(err)
}

// fail breaks the stream with err; o.mu held.
func (s *Stream) fail(err error) {
	s.ended = true
	s.wfail = err
	s.setReadErr(err)
	s.wakeWriter()
}

func (s *Stream) setReadErr(err error) {
	s.mu.Lock()
	if s.rerr == nil {
		s.rerr = err
	}
	s.mu.Unlock()
	s.wakeReader()
}

func (s *Stream) wakeReader() { wake(s.rwake) }
func (s *Stream) wakeWriter() { wake(s.wwake) }

func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
