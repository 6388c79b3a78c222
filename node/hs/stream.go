package hs

// One end-to-end stream on a session (session.go). Inner messages (inside
// hs.E2E, which the rendezvous point cannot read), each naming its stream:
//
//	BEGIN     client → service, data = virtual port (2 bytes)
//	CONNECTED service → client
//	DATA      either way, ≤ hs.MaxE2EData bytes
//	END       either way: no more data (before CONNECTED: refused)
//	SENDME    either way: the reader consumed sendmeCells more cells
//	RESET     either way: the stream is gone here (DATA came for a stream
//	          this end closed): stop sending, the stream is over
//
// The sender keeps at most its window of DATA cells unacknowledged per
// stream, so the circuits' queues stay bounded (hidden-service cells are
// outside onion's circuit windows).

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"cyclecash/onion/hs"
)

const (
	innerBegin uint8 = iota + 1
	innerConnected
	innerData
	innerEnd
	innerSendme
	innerReset

	windowCells = 768
	sendmeCells = 128
)

// stream is a net.Conn over one stream of a session.
type stream struct {
	sess *session
	id   uint16

	mu        sync.Mutex
	cond      *sync.Cond
	rbuf      []byte
	rerr      error
	consumed  int // bytes read since the last SENDME
	window    int
	closed    bool      // Close called
	wrote     bool      // our END sent
	eof       bool      // the peer sent END
	connected chan bool // client: CONNECTED (true) or END (false) answered BEGIN
	rdl, wdl  deadline  // Read, and Write's wait for window (http.Server's timeouts)
}

// deadline is one direction's net.Conn deadline; its timer wakes the
// waiters on the stream's cond when it passes.
type deadline struct {
	at    time.Time
	timer *time.Timer
}

func (d *deadline) passed() bool { return !d.at.IsZero() && !time.Now().Before(d.at) }

// setDeadline sets d to t and wakes the waiters now and at t. Callers
// hold no lock.
func (s *stream) setDeadline(d *deadline, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.at = t
	if wait := time.Until(t); !t.IsZero() && wait > 0 {
		d.timer = time.AfterFunc(wait, func() {
			s.mu.Lock()
			s.cond.Broadcast()
			s.mu.Unlock()
		})
	}
	s.cond.Broadcast()
}

var _ net.Conn = (*stream)(nil)

func newStream(s *session, id uint16) *stream {
	st := &stream{sess: s, id: id, window: windowCells, connected: make(chan bool, 1)}
	st.cond = sync.NewCond(&st.mu)
	return st
}

func (s *stream) send(cmd uint8, data []byte) error { return s.sess.send(s.id, cmd, data) }

// handle takes one message for this stream from the session's reader.
func (s *stream) handle(m hs.InnerMsg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.cond.Broadcast()
	switch m.Cmd {
	case innerConnected:
		select {
		case s.connected <- true:
		default:
		}
	case innerData:
		if len(s.rbuf) > windowCells*hs.MaxE2EData {
			return fmt.Errorf("%w: data beyond the window", ErrUnexpectedCell)
		}
		s.rbuf = append(s.rbuf, m.Data...)
	case innerSendme:
		s.window += sendmeCells
	case innerEnd:
		s.eof = true // keep reading: SENDMEs for our writes still come
		select {
		case s.connected <- false:
		default:
		}
		if s.wrote {
			go s.sess.remove(s.id)
		}
	case innerReset:
		s.rerr = ErrStreamClosed
		s.eof = true
		select {
		case s.connected <- false:
		default:
		}
	default:
		return fmt.Errorf("%w: inner command %d", ErrUnexpectedCell, m.Cmd)
	}
	return nil
}

// fail ends this stream only.
func (s *stream) fail(err error) {
	s.mu.Lock()
	if s.rerr == nil {
		s.rerr = err
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	select {
	case s.connected <- false:
	default:
	}
}

// waitConnected waits for the service's answer to BEGIN.
func (s *stream) waitConnected(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	select {
	case ok := <-s.connected:
		return ok, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (s *stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	for len(s.rbuf) == 0 && s.rerr == nil && !s.eof && !s.closed && !s.rdl.passed() {
		s.cond.Wait()
	}
	if s.rdl.passed() && !s.closed {
		s.mu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	if len(s.rbuf) == 0 {
		err := s.rerr
		if s.eof {
			err = io.EOF
		} else if err == nil {
			err = ErrStreamClosed
		}
		s.mu.Unlock()
		return 0, err
	}
	n := copy(p, s.rbuf)
	s.rbuf = s.rbuf[n:]
	s.consumed += n
	grant := s.consumed >= sendmeCells*hs.MaxE2EData
	if grant {
		s.consumed -= sendmeCells * hs.MaxE2EData
	}
	s.mu.Unlock()
	if grant {
		_ = s.send(innerSendme, nil)
	}
	return n, nil
}

func (s *stream) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		if err := s.takeWindow(); err != nil {
			return done, err
		}
		if err := s.sess.takeWindow(); err != nil {
			return done, err
		}
		n := min(len(p)-done, hs.MaxE2EData)
		if err := s.send(innerData, p[done:done+n]); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// takeWindow waits for room for one DATA cell and takes it.
func (s *stream) takeWindow() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.window <= 0 && s.rerr == nil && !s.closed && !s.wrote && !s.wdl.passed() {
		s.cond.Wait()
	}
	if s.closed || s.wrote || s.rerr != nil {
		return ErrStreamClosed
	}
	if s.wdl.passed() {
		return os.ErrDeadlineExceeded
	}
	s.window--
	return nil
}

// Close sends END and forgets the stream; its siblings and the session
// stay.
func (s *stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	wrote := s.wrote
	s.wrote = true
	s.cond.Broadcast()
	s.mu.Unlock()
	if !wrote {
		_ = s.send(innerEnd, nil)
	}
	s.sess.remove(s.id)
	return nil
}

// CloseWrite sends END but keeps reading (half-close, for proxying).
func (s *stream) CloseWrite() error {
	s.mu.Lock()
	if s.wrote {
		s.mu.Unlock()
		return nil
	}
	s.wrote = true
	eof := s.eof
	s.cond.Broadcast()
	s.mu.Unlock()
	err := s.send(innerEnd, nil)
	if eof {
		s.sess.remove(s.id)
	}
	return err
}

type meshAddr string

func (a meshAddr) Network() string { return "mesh" }
func (a meshAddr) String() string  { return string(a) }

func (s *stream) LocalAddr() net.Addr  { return meshAddr("mesh") }
func (s *stream) RemoteAddr() net.Addr { return meshAddr("mesh") }

// SetDeadline sets both deadlines. A write deadline bounds the wait for
// the stream's window, not the session's (shared by its streams).
func (s *stream) SetDeadline(t time.Time) error {
	s.setDeadline(&s.rdl, t)
	s.setDeadline(&s.wdl, t)
	return nil
}
func (s *stream) SetReadDeadline(t time.Time) error  { s.setDeadline(&s.rdl, t); return nil }
func (s *stream) SetWriteDeadline(t time.Time) error { s.setDeadline(&s.wdl, t); return nil }

func portBytes(p uint16) []byte { return binary.BigEndian.AppendUint16(nil, p) }
