package hs

import (
	"context"
	"io"
	"net"
	"sync"
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
// RENDEZVOUS1 there; the joined circuit becomes a session.
func (h *Hosted) meet(ctx context.Context, in *hs.Introduction) (*session, bool) {
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
	var once sync.Once
	s := newSession(circ, e, serviceIdle, func(st *stream, port uint16) {
		go h.accept(ctx, st, port, &once)
	})
	return s, true
}

// serviceIdle is how long the service keeps a session with no stream
// (before the first BEGIN, or after the last END): longer than the
// client's, which closes it first.
const serviceIdle = 2 * clientIdle

// serve runs the session until the client lets it go.
func (h *Hosted) serve(ctx context.Context, s *session) {
	go s.run()
	select {
	case <-ctx.Done():
		s.fail(ErrStreamClosed)
	case <-s.done:
	}
}

// accept dials the target of one BEGIN, answers CONNECTED (or END, which
// ends only this stream) and proxies. The first stream of a session counts
// the introduction as served.
func (h *Hosted) accept(ctx context.Context, st *stream, port uint16, served *sync.Once) {
	if ln := h.listeners[port]; ln != nil {
		h.acceptLocal(ln, st, served)
		return
	}
	addr, ok := h.ports[port]
	if !ok {
		h.log.Debug("rendezvous stream", "err", ErrRefused)
		st.Close()
		return
	}
	dctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	var d net.Dialer
	network, target := targetNetwork(addr)
	t, err := d.DialContext(dctx, network, target)
	if err != nil {
		h.log.Debug("rendezvous stream", "err", err)
		st.Close()
		return
	}
	if err := st.send(innerConnected, nil); err != nil {
		t.Close()
		st.Close()
		return
	}
	served.Do(func() { h.served.Add(1) })
	proxy(st, t)
}

// acceptLocal hands a stream to a port served in process. CONNECTED goes
// first, so the role may write at once; a closed listener or a full
// backlog then closes the stream.
func (h *Hosted) acceptLocal(ln *Listener, st *stream, served *sync.Once) {
	if err := st.send(innerConnected, nil); err != nil {
		st.Close()
		return
	}
	if !ln.offer(st) {
		h.log.Debug("rendezvous stream", "err", "in-process port closed or its backlog full")
		st.Close()
		return
	}
	served.Do(func() { h.served.Add(1) })
}

// proxy copies both ways until both sides are done.
func proxy(s *stream, t net.Conn) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(t, s)
		if hc, ok := t.(interface{ CloseWrite() error }); ok { // TCP or unix
			_ = hc.CloseWrite()
		}
		close(done)
	}()
	_, _ = io.Copy(s, t)
	_ = s.CloseWrite()
	<-done
	t.Close()
	s.Close()
}
