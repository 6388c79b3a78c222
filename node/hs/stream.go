package hs

// One end-to-end stream over a rendezvous circuit. Inner messages (inside
// hs.E2E, which the rendezvous point cannot read):
//
//	BEGIN     client → service, data = virtual port (2 bytes)
//	CONNECTED service → client
//	DATA      either way, ≤ hs.MaxE2EData bytes
//	END       either way: no more data
//	SENDME    either way: the reader consumed sendmeCells more cells
//
// The sender keeps at most its window of DATA cells unacknowledged, so the
// circuits' queues stay bounded (hidden-service cells are outside onion's
// circuit windows).

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
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

	windowCells = 768
	sendmeCells = 128
)

// stream is a net.Conn over one joined rendezvous circuit.
type stream struct {
	c      Circuit
	e2e    *hs.E2E
	sendMu sync.Mutex // Seal and Send in order

	mu       sync.Mutex
	rbuf     []byte
	rerr     error
	consumed int // bytes read since the last SENDME
	window   int
	wake     chan struct{}
	closed   bool
	eof      bool // the peer sent END
}

var _ net.Conn = (*stream)(nil)

func newStream(c Circuit, e *hs.E2E) *stream {
	return &stream{c: c, e2e: e, window: windowCells, wake: make(chan struct{}, 1)}
}

// send seals and sends one inner message.
func (s *stream) send(cmd uint8, data []byte) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	cell, err := s.e2e.Seal(hs.InnerMsg{Cmd: cmd, StreamID: 1, Data: data})
	if err != nil {
		return err
	}
	return s.c.Send(hs.CmdE2E, cell)
}

// recv returns the next inner message; any other cell is an error.
func (s *stream) recv(ctx context.Context) (hs.InnerMsg, error) {
	cmd, data, err := s.c.Recv(ctx)
	if err != nil {
		return hs.InnerMsg{}, err
	}
	if cmd != hs.CmdE2E {
		return hs.InnerMsg{}, fmt.Errorf("%w: command %d on a joined circuit", ErrUnexpectedCell, cmd)
	}
	return s.e2e.Open(data)
}

// run reads the circuit until it ends; start it once the handshake is done.
func (s *stream) run() {
	for {
		m, err := s.recv(context.Background())
		if err == nil {
			err = s.handle(m)
		}
		if err != nil {
			s.fail(err)
			return
		}
	}
}

func (s *stream) handle(m hs.InnerMsg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.signal()
	switch m.Cmd {
	case innerData:
		s.rbuf = append(s.rbuf, m.Data...)
	case innerSendme:
		s.window += sendmeCells
	case innerEnd:
		s.eof = true // keep reading: SENDMEs for our writes still come
	default:
		return fmt.Errorf("%w: inner command %d", ErrUnexpectedCell, m.Cmd)
	}
	return nil
}

func (s *stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stream) fail(err error) {
	s.mu.Lock()
	if s.rerr == nil {
		s.rerr = err
	}
	s.mu.Unlock()
	s.signal()
	s.c.Close()
}

// wait blocks until run handled something; s.mu held, and again on return.
func (s *stream) wait() {
	s.mu.Unlock()
	<-s.wake // run signals every message and its own end
	s.mu.Lock()
}

func (s *stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	for len(s.rbuf) == 0 && s.rerr == nil && !s.eof {
		s.wait()
	}
	if len(s.rbuf) == 0 {
		err := s.rerr
		if s.eof {
			err = io.EOF
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
	for s.window <= 0 && s.rerr == nil && !s.closed {
		s.wait()
	}
	if s.closed || s.rerr != nil {
		return ErrStreamClosed
	}
	s.window--
	return nil
}

// Close sends END and lets the circuits go.
func (s *stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	_ = s.send(innerEnd, nil)
	return s.c.Close()
}

// CloseWrite sends END but keeps reading (half-close, for proxying).
func (s *stream) CloseWrite() error { return s.send(innerEnd, nil) }

type meshAddr string

func (a meshAddr) Network() string { return "mesh" }
func (a meshAddr) String() string  { return string(a) }

func (s *stream) LocalAddr() net.Addr                { return meshAddr("mesh") }
func (s *stream) RemoteAddr() net.Addr               { return meshAddr("mesh") }
func (s *stream) SetDeadline(t time.Time) error      { return nil }
func (s *stream) SetReadDeadline(t time.Time) error  { return nil }
func (s *stream) SetWriteDeadline(t time.Time) error { return nil }

func portBytes(p uint16) []byte { return binary.BigEndian.AppendUint16(nil, p) }
