package overlay

import (
	"errors"
	"fmt"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Circuit is one of this node's client circuits: built along a path chosen
// by the caller, ending at a destination that serves streams. Dial opens
// streams on it; it stays open until Close, a failure, or ClientIdle
// without streams.
type Circuit struct {
	o        *Onion
	ref      onion.CircRef
	link     *link
	cc       *onion.ClientCircuit
	dest     peer.ID
	relays   []peer.ID // the path before the destination, for Measurements
	hops     int
	created  time.Time
	progress chan onion.Event // build outcome: complete (EventHopAdded) or extend failed
	done     chan struct{}

	// Guarded by o.mu.
	path       []*Descriptor // while building
	built      bool
	buildTime  time.Duration
	lastUsed   time.Time
	sent, recv uint64
	streams    map[uint16]*Stream
	err        error
	hs         *HSCircuit // hidden-service messages (hs_circuit.go), if opened
}

// CircuitInfo describes an open client circuit for Status: no relay is
// named, only how many there are.
type CircuitInfo struct {
	Hops      int           // relays plus the destination
	Age       time.Duration // since the build started
	BuildTime time.Duration
	Sent      uint64 // stream bytes written
	Received  uint64 // stream bytes read
	Streams   int
}

// Destination is the peer the circuit ends at.
func (c *Circuit) Destination() peer.ID { return c.dest }

// Hops is the number of hops: relays plus the destination.
func (c *Circuit) Hops() int { return c.hops }

// BuildTime is how long the build took.
func (c *Circuit) BuildTime() time.Duration {
	c.o.mu.Lock()
	defer c.o.unlock()
	return c.buildTime
}

// Done is closed when the circuit is gone.
func (c *Circuit) Done() <-chan struct{} { return c.done }

// Err is nil while the circuit is open, else why it closed.
func (c *Circuit) Err() error {
	c.o.mu.Lock()
	defer c.o.unlock()
	return c.err
}

// Close destroys the circuit; its streams fail.
func (c *Circuit) Close() error {
	c.o.mu.Lock()
	defer c.o.unlock()
	c.o.destroyCircuit(c, fmt.Errorf("%w: closed by this side", ErrCircuitBroken))
	return nil
}

// Circuits describes the open client circuits.
func (o *Onion) Circuits() []CircuitInfo {
	o.mu.Lock()
	defer o.unlock()
	now := time.Now()
	out := make([]CircuitInfo, 0, len(o.clients))
	for _, c := range o.clients {
		if c.built {
			out = append(out, CircuitInfo{Hops: c.hops, Age: now.Sub(c.created), BuildTime: c.buildTime,
				Sent: c.sent, Received: c.recv, Streams: len(c.streams)})
		}
	}
	return out
}

// clientCell feeds a cell to a client circuit; o.mu held.
func (o *Onion) clientCell(c *Circuit, cell *onion.Cell) {
	ev, cells, err := c.cc.HandleCell(cell, o.cells[:0])
	o.sendCells(c, cells)
	if err != nil {
		o.failCircuit(c, err)
		return
	}
	c.lastUsed = o.now
	s := c.streams[ev.StreamID]
	switch ev.Kind {
	case onion.EventHopAdded:
		o.advance(c)
	case onion.EventExtendFailed:
		select {
		case c.progress <- ev:
		default:
		}
	case onion.EventConnected:
		if s != nil {
			s.setConnected()
		}
	case onion.EventData:
		c.recv += uint64(len(ev.Data))
		if s != nil {
			o.deliver(s, ev.Data)
		} else if len(ev.Data) > 0 { // no reader: count it read
			o.sendCells(c, withoutErr(c.cc.Consumed(ev.StreamID, len(ev.Data), o.cells[:0])))
		}
	case onion.EventEnd:
		if s != nil {
			delete(c.streams, ev.StreamID)
			s.remoteEnd(ev.Reason)
		}
	case onion.EventRelay:
		o.hsDeliver(c, ev) // hs_circuit.go
	case onion.EventTruncated:
		o.destroyCircuit(c, fmt.Errorf("%w: a relay on the path went away (reason %d)", ErrCircuitBroken, ev.Reason))
	case onion.EventDestroyed:
		o.failCircuit(c, fmt.Errorf("%w: destroyed by the first hop (reason %d)", ErrCircuitBroken, ev.Reason))
	case onion.EventNone:
		for _, s := range c.streams {
			s.wakeWriter() // perhaps a SENDME
		}
	}
}

// sendCells queues cells of c on its link and recycles the scratch slice;
// o.mu held.
func (o *Onion) sendCells(c *Circuit, cells []onion.Cell) {
	for i := range cells {
		c.link.enqueue(&cells[i])
	}
	o.cells = cells[:0]
}

// destroyCircuit sends DESTROY and fails the circuit; o.mu held.
func (o *Onion) destroyCircuit(c *Circuit, err error) {
	if c.err == nil {
		o.sendCells(c, c.cc.Destroy(o.cells[:0]))
	}
	o.failCircuit(c, err)
}

// failCircuit forgets a circuit and fails its streams with err (wrapped in
// ErrCircuitBroken); o.mu held.
func (o *Onion) failCircuit(c *Circuit, err error) {
	if c.err != nil {
		return
	}
	if !errors.Is(err, ErrCircuitBroken) && !errors.Is(err, ErrOnionClosed) && !errors.Is(err, ErrBuildTimeout) {
		err = fmt.Errorf("%w: %w", ErrCircuitBroken, err)
	}
	c.err = err
	if c.built && o.ov != nil {
		active := c.lastUsed.Sub(c.created) - c.buildTime
		o.ov.measured.Record(c.relays, c.sent+c.recv, active)
	}
	for id, s := range c.streams {
		s.fail(err)
		delete(c.streams, id)
	}
	delete(o.clients, c.ref)
	o.relay.ReleaseCircID(c.ref.Link, c.ref.CircID)
	close(c.done)
}

// endLocked sends END for s unless the stream already ended; o.mu held.
// Either way onion forgets the stream: bytes the other side sent before
// its END and the application never read stop counting against the
// circuit window.
func (o *Onion) endLocked(s *Stream, reason onion.DestroyReason) {
	if s.ended {
		o.forgetLocked(s)
		return
	}
	s.ended = true
	if c := s.circ; c != nil {
		delete(c.streams, s.id)
		if c.err == nil {
			cells, _ := c.cc.End(s.id, o.cells[:0])
			o.sendCells(c, cells)
		}
		return
	}
	delete(o.dest[s.dref], s.id)
	acts, _ := o.relay.EndStream(s.dref, s.id, reason, o.acts[:0])
	o.execute(acts)
}

// forgetLocked drops an ended stream from onion, which sends no END for a
// stream the other side ended and nothing for one already gone; o.mu held.
func (o *Onion) forgetLocked(s *Stream) {
	if c := s.circ; c != nil {
		if c.err == nil {
			o.sendCells(c, withoutErr(c.cc.End(s.id, o.cells[:0])))
		}
		return
	}
	o.execute(withoutErr(o.relay.EndStream(s.dref, s.id, onion.ReasonNone, o.acts[:0])))
}

// streamSend sends what the windows allow of p on s.
func (o *Onion) streamSend(s *Stream, p []byte) (int, error) {
	o.mu.Lock()
	defer o.unlock()
	if s.wfail != nil {
		return 0, s.wfail
	}
	if c := s.circ; c != nil {
		n, cells, err := c.cc.Send(s.id, p, o.cells[:0])
		o.sendCells(c, cells)
		c.sent += uint64(n)
		c.lastUsed = time.Now()
		return n, sendErr(err)
	}
	n, acts, err := o.relay.StreamSend(s.dref, s.id, p, o.acts[:0])
	o.execute(acts)
	return n, sendErr(err)
}

// streamConsumed reports n bytes of s read by the application, which may
// send SENDMEs. Bytes read after the other side's END still count: they
// free the circuit window (onion's consume.go).
func (o *Onion) streamConsumed(s *Stream, n int) {
	o.mu.Lock()
	defer o.unlock()
	if c := s.circ; c != nil {
		if c.err == nil {
			o.sendCells(c, withoutErr(c.cc.Consumed(s.id, n, o.cells[:0])))
		}
		return
	}
	o.execute(withoutErr(o.relay.Consumed(s.dref, s.id, n, o.acts[:0])))
}

// withoutErr drops the error of a call whose output is still to be used:
// the calls it wraps fail only for a stream or circuit already gone.
func withoutErr[T any](v T, _ error) T { return v }

func sendErr(err error) error {
	switch {
	case err == nil, errors.Is(err, onion.ErrWindowExhausted):
		return err
	case errors.Is(err, onion.ErrUnknownStream):
		return fmt.Errorf("%w: %w", ErrStreamClosed, err)
	}
	return fmt.Errorf("%w: %w", ErrCircuitBroken, err)
}
