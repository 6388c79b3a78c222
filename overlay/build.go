package overlay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"cyclecash/onion"
)

// measureFactor: a build that passed the timeout is abandoned by its caller
// but still awaited, up to this many timeouts, so its true duration enters
// the learner. Counting only builds that beat the timeout would censor the
// distribution and walk the timeout down (Tor keeps such circuits open to
// measure them, path-spec §2.4.5).
const measureFactor = 4

// Build builds a circuit along path (from SelectPath: relays, then the
// destination), telescoping one hop at a time. The whole build must finish
// within the learned BuildTimeout, else ErrBuildTimeout (by design about
// one build in five past the learned quantile: retry on a new path); a hop
// that cannot be reached gives ErrHopUnreachable.
func (o *Onion) Build(ctx context.Context, path []*Descriptor) (*Circuit, error) {
	if len(path) == 0 || len(path) > onion.MaxHops {
		return nil, fmt.Errorf("overlay: path of %d hops (want 1..%d)", len(path), onion.MaxHops)
	}
	timeout := o.BuildTimeout()
	mctx, cancel := context.WithTimeout(ctx, min(measureFactor*timeout, onion.DefaultBuildTimeout))
	res := make(chan buildResult, 1)
	go func() {
		defer cancel()
		c, err := o.build(mctx, path)
		res <- buildResult{c, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-res:
		if r.err == nil {
			o.buildOutcome(false)
		}
		return r.c, r.err
	case <-t.C:
		o.buildOutcome(true)
		go func() { // abandoned: measured by build, then closed
			if r := <-res; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ErrBuildTimeout
	}
}

type buildResult struct {
	c   *Circuit
	err error
}

// build runs one build to completion or ctx's end, recording its duration.
// Failures blame only this circuit: a first hop this node could not reach
// itself is left out of new paths for a while (a first-hand observation),
// but an extend that failed further on says only what a relay on the path
// claims about the next one, which no one can verify. Marking that next
// relay down would let any relay steer every later path of this node away
// from honest relays by answering TRUNCATED (DESIGN.md section 3).
func (o *Onion) build(ctx context.Context, path []*Descriptor) (*Circuit, error) {
	start := time.Now()
	l, err := o.linkTo(ctx, path[0].Peer)
	if err != nil {
		if errors.Is(err, ErrHopUnreachable) {
			o.markDown(path[0].Peer)
			err = &firstHopError{}
		}
		return nil, err
	}
	c, err := o.startCircuit(l, path, start)
	if err != nil {
		return nil, err
	}
	if err := c.awaitBuilt(ctx); err != nil {
		o.mu.Lock()
		if errors.Is(err, context.DeadlineExceeded) {
			o.builds.add(time.Since(start)) // never finished: counts as the cap
		}
		o.destroyCircuit(c, err)
		o.unlock()
		return nil, err
	}
	for _, d := range path { // each hop answered its handshake: reached
		o.ov.dir.MarkReached(d.Peer)
	}
	return c, nil
}

// firstHopError says this node could not open a link to the first hop.
type firstHopError struct{}

func (*firstHopError) Error() string { return ErrHopUnreachable.Error() + " (first hop)" }
func (*firstHopError) Unwrap() error { return ErrHopUnreachable }

// blame names the relay a failed extend to path[hop] points at, never the
// destination. It is informational only: no node-wide mark follows from
// it (see build).
func blame(path []*Descriptor, hop int) (peer.ID, bool) {
	if hop < 0 || hop >= len(path)-1 {
		return "", false
	}
	return path[hop].Peer, true
}

// advance extends a circuit being built after a hop was added, or, once the
// path is complete, pads its first cells and records the build time; o.mu
// held. Doing this right where the reply arrives saves the build a goroutine
// hand-off per hop.
func (o *Onion) advance(c *Circuit) {
	if n := c.cc.Hops(); n < len(c.path) {
		cells, err := c.cc.Extend(hopSpec(c.path[n]), o.cells[:0])
		o.sendCells(c, cells)
		if err != nil {
			o.destroyCircuit(c, err)
		}
		return
	}
	o.sendCells(c, c.cc.PadEarly(o.cells[:0]))
	c.path = nil
	c.built, c.buildTime, c.lastUsed = true, time.Since(c.created), time.Now()
	o.builds.add(c.buildTime)
	select {
	case c.progress <- onion.Event{Kind: onion.EventHopAdded}:
	default:
	}
}

// startCircuit reserves a circuit ID on l and sends the CREATE.
func (o *Onion) startCircuit(l *link, path []*Descriptor, start time.Time) (*Circuit, error) {
	o.mu.Lock()
	defer o.unlock()
	if len(o.clients) >= o.cfg.MaxClientCircuits {
		return nil, ErrTooManyCircuits
	}
	id, err := o.relay.ReserveCircID(l.id, l.weDialed)
	if err != nil {
		return nil, fmt.Errorf("overlay: circuit id: %w", err)
	}
	cc, create, err := onion.NewClientCircuit(o.cfg.Rand, id, hopSpec(path[0]))
	if err != nil {
		o.relay.ReleaseCircID(l.id, id)
		return nil, err
	}
	relays := make([]peer.ID, 0, len(path)-1)
	for _, d := range path[:len(path)-1] {
		relays = append(relays, d.Peer)
	}
	c := &Circuit{
		o: o, ref: onion.CircRef{Link: l.id, CircID: id}, link: l, cc: cc, relays: relays,
		dest: path[len(path)-1].Peer, hops: len(path), created: start, path: path,
		progress: make(chan onion.Event, 1), done: make(chan struct{}),
		streams: map[uint16]*Stream{},
	}
	o.clients[c.ref] = c
	if !l.enqueue(create) {
		o.failCircuit(c, ErrHopUnreachable)
		return nil, ErrHopUnreachable
	}
	return c, nil
}

// extendError says a relay could not reach the next hop of the path.
type extendError struct {
	hop    int // 0-based index in the path of the hop that was not reached
	reason onion.DestroyReason
}

func (e *extendError) Error() string {
	return fmt.Sprintf("%v (hop %d, reason %d)", ErrHopUnreachable, e.hop+1, e.reason)
}

// Unwrap makes extendError match ErrHopUnreachable.
func (e *extendError) Unwrap() error { return ErrHopUnreachable }

// awaitBuilt waits until the build completes or fails.
func (c *Circuit) awaitBuilt(ctx context.Context) error {
	select {
	case ev := <-c.progress:
		if ev.Kind == onion.EventExtendFailed {
			return &extendError{hop: ev.Hop, reason: ev.Reason}
		}
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func hopSpec(d *Descriptor) onion.HopSpec {
	return onion.HopSpec{Identity: []byte(d.Peer), OnionKey: d.OnionKey}
}

// Dial opens a stream to the named service at the circuit's destination
// and waits for the destination to accept it.
func (c *Circuit) Dial(ctx context.Context, service string) (*Stream, error) {
	o := c.o
	o.mu.Lock()
	if c.err != nil {
		o.unlock()
		return nil, c.err
	}
	id, cells, err := c.cc.Begin(service, o.cells[:0])
	if err != nil {
		o.cells = cells[:0]
		o.unlock()
		return nil, fmt.Errorf("overlay: open stream: %w", err)
	}
	s := newStream(o, c, onion.CircRef{}, id, c.dest, service)
	c.streams[id] = s
	o.sendCells(c, cells)
	o.unlock()
	if err := s.awaitConnected(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stream) awaitConnected(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.connected {
		if s.rerr != nil {
			return s.rerr
		}
		s.mu.Unlock()
		select {
		case <-s.rwake:
		case <-ctx.Done():
		}
		s.mu.Lock()
		if ctx.Err() != nil && !s.connected {
			return fmt.Errorf("overlay: open stream: %w", ctx.Err())
		}
	}
	wake(s.rwake) // a reader may need the token this wait consumed
	return nil
}
