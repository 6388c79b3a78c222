package hs

// A session is one joined rendezvous circuit and its end-to-end layer,
// carrying many streams (inner messages name theirs by StreamID). The
// client keeps one session per address and isolation group and opens a
// stream on it per dial; the service accepts a stream per BEGIN. Each
// stream has its own window, so one stalled reader stops only its own
// stream, and a stream's END or failure leaves its siblings running. The
// session ends with its circuit, or after idle with no stream open.

import (
	"context"
	"fmt"
	"sync"
	"time"

	"cyclecash/onion/hs"
)

// maxSessionStreams bounds the streams open on one session at once; a
// BEGIN beyond it is answered END. With windowCells each, it bounds the
// cells a session may have in flight.
const maxSessionStreams = 16

// sessionWindowCells bounds the DATA cells of all streams of a session in
// flight at once: the receiver's session reader answers a session SENDME
// (stream id 0) for every sendmeCells it takes off the circuit. It keeps
// the circuit's inbox (overlay's hsInbox, 1024 messages; overflow closes
// the circuit) from filling while every stream has its own window open.
const sessionWindowCells = 768

type session struct {
	c      Circuit
	e2e    *hs.E2E
	sendMu sync.Mutex // Seal and Send in order

	mu       sync.Mutex
	cond     *sync.Cond // window moved or the session failed
	window   int        // session DATA cells we may still send
	received int        // DATA cells taken off the circuit since our last session SENDME
	streams  map[uint16]*stream
	nextID   uint16
	err      error
	idle     *time.Timer
	idleFor  time.Duration
	// begin, on the service, handles a BEGIN for a new stream id (the
	// stream is registered already); nil on the client.
	begin func(st *stream, port uint16)
	done  chan struct{}
}

func newSession(c Circuit, e *hs.E2E, idle time.Duration, begin func(*stream, uint16)) *session {
	s := &session{c: c, e2e: e, streams: map[uint16]*stream{}, idleFor: idle, begin: begin, done: make(chan struct{}),
		window: sessionWindowCells}
	s.cond = sync.NewCond(&s.mu)
	s.idle = time.AfterFunc(idle, s.closeIfIdle)
	return s
}

// send seals and sends one inner message of stream id.
func (s *session) send(id uint16, cmd uint8, data []byte) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	cell, err := s.e2e.Seal(hs.InnerMsg{Cmd: cmd, StreamID: id, Data: data})
	if err != nil {
		return err
	}
	return s.c.Send(hs.CmdE2E, cell)
}

// recv returns the next inner message; any other cell is an error.
func (s *session) recv(ctx context.Context) (hs.InnerMsg, error) {
	cmd, data, err := s.c.Recv(ctx)
	if err != nil {
		return hs.InnerMsg{}, err
	}
	if cmd != hs.CmdE2E {
		return hs.InnerMsg{}, fmt.Errorf("%w: command %d on a joined circuit", ErrUnexpectedCell, cmd)
	}
	return s.e2e.Open(data)
}

// run reads the circuit until it ends and hands each message to its stream.
func (s *session) run() {
	for {
		m, err := s.recv(context.Background())
		if err != nil {
			s.fail(err)
			return
		}
		s.dispatch(m)
	}
}

func (s *session) dispatch(m hs.InnerMsg) {
	if m.StreamID == 0 {
		if m.Cmd == innerSendme {
			s.mu.Lock()
			s.window += sendmeCells
			s.cond.Broadcast()
			s.mu.Unlock()
		}
		return
	}
	if m.Cmd == innerData {
		s.mu.Lock()
		s.received++
		grant := s.received >= sendmeCells
		if grant {
			s.received -= sendmeCells
		}
		s.mu.Unlock()
		if grant {
			_ = s.send(0, innerSendme, nil)
		}
	}
	s.mu.Lock()
	st := s.streams[m.StreamID]
	if st == nil && m.Cmd == innerBegin && s.begin != nil && len(m.Data) == 2 {
		if len(s.streams) >= maxSessionStreams {
			s.mu.Unlock()
			_ = s.send(m.StreamID, innerEnd, nil)
			return
		}
		st = s.addLocked(m.StreamID)
		s.mu.Unlock()
		s.begin(st, uint16(m.Data[0])<<8|uint16(m.Data[1]))
		return
	}
	s.mu.Unlock()
	if st == nil {
		// A stream closed here: its late cells are dropped, and DATA is
		// answered RESET so the sender stops instead of waiting for a
		// SENDME forever.
		if m.Cmd == innerData {
			_ = s.send(m.StreamID, innerReset, nil)
		}
		return
	}
	if err := st.handle(m); err != nil {
		st.fail(err)
		_ = st.Close()
	}
}

// takeWindow waits for room for one DATA cell in the session window.
func (s *session) takeWindow() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.window <= 0 && s.err == nil {
		s.cond.Wait()
	}
	if s.err != nil {
		return ErrStreamClosed
	}
	s.window--
	return nil
}

// open registers a new client stream.
func (s *session) open() (*stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if len(s.streams) >= maxSessionStreams {
		return nil, ErrSessionFull
	}
	s.nextID++
	for s.nextID == 0 || s.streams[s.nextID] != nil { // wrapped: skip 0 and ids still open
		s.nextID++
	}
	return s.addLocked(s.nextID), nil
}

// addLocked registers stream id; s.mu held.
func (s *session) addLocked(id uint16) *stream {
	st := newStream(s, id)
	s.streams[id] = st
	s.idle.Stop()
	return st
}

// remove forgets stream id; an empty session starts its idle timer.
func (s *session) remove(id uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.streams, id)
	if len(s.streams) == 0 && s.err == nil {
		s.idle.Reset(s.idleFor)
	}
}

func (s *session) closeIfIdle() {
	s.mu.Lock()
	idle := len(s.streams) == 0
	s.mu.Unlock()
	if idle {
		s.fail(ErrStreamClosed)
	}
}

// fail ends the session and every stream on it.
func (s *session) fail(err error) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	s.err = err
	streams := s.streams
	s.streams = map[uint16]*stream{}
	s.cond.Broadcast()
	s.mu.Unlock()
	s.idle.Stop()
	for _, st := range streams {
		st.fail(err)
	}
	s.c.Close()
	close(s.done)
}

// alive reports whether new streams may open.
func (s *session) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err == nil
}
