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

// serveQueue answers queued introductions, best proof of work first.
func (h *Hosted) serveQueue(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.queued:
		}
		for {
			h.mu.Lock()
			in, ok := h.core.Next(time.Now())
			h.mu.Unlock()
			if !ok {
				break
			}
			go h.rendezvous(ctx, in)
		}
	}
}

// rendezvous meets the client at its rendezvous point and proxies the
// stream it opens to the mapped target.
func (h *Hosted) rendezvous(ctx context.Context, in *hs.Introduction) {
	r1, e, err := in.Rendezvous1()
	if err != nil {
		return
	}
	var circ Circuit
	for range rendezvousAttempts {
		if circ, err = h.net.Circuit(ctx, in.RP); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		h.log.Debug("rendezvous circuit", "err", err)
		return
	}
	if err := circ.Send(hs.CmdRendezvous1, r1); err != nil {
		circ.Close()
		return
	}
	s := newStream(circ, e)
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
