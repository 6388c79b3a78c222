package hs

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"time"

	"cyclecash/onion/hs"
)

// rendezvousAttempts is how many circuits the service tries towards a
// client's rendezvous point.
const rendezvousAttempts = 3

// rendezvousSlots bounds the rendezvous circuits the service builds at
// once. Without it every queued introduction got its own goroutine at
// once, the queue never held anything to rank, and a flood of cheap
// introductions had the service build circuits for all of them while an
// honest client's paid introduction waited its turn among them. With it,
// introductions wait in the queue, best proof of work first.
const rendezvousSlots = 4

// serveQueue answers queued introductions, best proof of work first, at
// most rendezvousSlots at a time.
func (h *Hosted) serveQueue(ctx context.Context) {
	slots := make(chan struct{}, rendezvousSlots)
	for {
		select {
		case <-ctx.Done():
			return
		case slots <- struct{}{}:
		}
		in := h.next(ctx)
		if in == nil {
			return
		}
		go func() {
			s, ok := h.meet(ctx, in)
			<-slots // the slot bounds circuit building, not the stream
			if ok {
				h.serve(ctx, s)
			}
		}()
	}
}

// next waits for the best queued introduction; nil when ctx ends.
func (h *Hosted) next(ctx context.Context) *hs.Introduction {
	for {
		h.mu.Lock()
		in, ok := h.core.Next(time.Now())
		h.mu.Unlock()
		if ok {
			return in
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.queued:
		}
	}
}

// meet builds a circuit to the client's rendezvous point and sends
// RENDEZVOUS1 there.
func (h *Hosted) meet(ctx context.Context, in *hs.Introduction) (*stream, bool) {
	r1, e, err := in.Rendezvous1()
	if err != nil {
		return nil, false
	}
	var circ Circuit
	for range rendezvousAttempts {
		if circ, err = h.net.Circuit(ctx, in.RP); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		h.log.Debug("rendezvous circuit", "err", err)
		return nil, false
	}
	if err := circ.Send(hs.CmdRendezvous1, r1); err != nil {
		circ.Close()
		return nil, false
	}
	return newStream(circ, e), true
}

// serve proxies the stream the client opens to the mapped target.
func (h *Hosted) serve(ctx context.Context, s *stream) {
	target, err := h.begin(ctx, s)
	if err != nil {
		h.log.Debug("rendezvous stream", "err", err)
		s.Close()
		return
	}
	h.served.Add(1)
	proxy(s, target)
}

// begin reads BEGIN, dials the mapped target and answers CONNECTED.
func (h *Hosted) begin(ctx context.Context, s *stream) (net.Conn, error) {
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	m, err := s.recv(sctx)
	if err != nil {
		return nil, err
	}
	if m.Cmd != innerBegin || len(m.Data) != 2 {
		return nil, ErrUnexpectedCell
	}
	addr, ok := h.ports[binary.BigEndian.Uint16(m.Data)]
	if !ok {
		return nil, ErrRefused
	}
	var d net.Dialer
	t, err := d.DialContext(sctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := s.send(innerConnected, nil); err != nil {
		t.Close()
		return nil, err
	}
	go s.run()
	return t, nil
}

// proxy copies both ways until both sides are done.
func proxy(s *stream, t net.Conn) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(t, s)
		if tc, ok := t.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		close(done)
	}()
	_, _ = io.Copy(s, t)
	_ = s.CloseWrite()
	<-done
	t.Close()
	s.Close()
}
