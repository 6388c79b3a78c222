package overlay

import (
	"fmt"

	"cyclecash/onion"
)

// The destination role: on a gateway, circuits end at this node's relay and
// their streams reach services registered with Handle. A stream's peer is
// the neighbour the circuit arrived from, the last relay: the relay state
// holds nothing else about the client, so nothing else can leak to the
// service.

// EchoService is the service name every gateway answers with an echo, for
// probes.
const EchoService = "echo"

// DiscardService is the service every gateway answers with the probes'
// one-way sink (node/probe's ServeDiscard).
const DiscardService = "discard"

// begin answers an ActBegin: connect the stream to its service or refuse
// it; o.mu held.
func (o *Onion) begin(a *onion.Action, acts []onion.Action) []onion.Action {
	h := o.services[a.Target]
	l := o.links[a.Circ.Link]
	if h == nil || l == nil {
		more, _ := o.relay.EndStream(a.Circ, a.StreamID, onion.ReasonRefused, nil)
		return append(acts, more...)
	}
	more, err := o.relay.Connected(a.Circ, a.StreamID, nil)
	if err != nil {
		return acts
	}
	s := newStream(o, nil, a.Circ, a.StreamID, l.peer, a.Target)
	s.connected = true
	m := o.dest[a.Circ]
	if m == nil {
		m = map[uint16]*Stream{}
		o.dest[a.Circ] = m
	}
	m[a.StreamID] = s
	go h(s)
	return append(acts, more...)
}

// destData delivers stream bytes that arrived at the destination; o.mu
// held.
func (o *Onion) destData(a *onion.Action, acts []onion.Action) []onion.Action {
	if s := o.dest[a.Circ][a.StreamID]; s != nil {
		o.deliver(s, a.Data)
		return acts
	}
	if len(a.Data) == 0 {
		return acts
	}
	more, _ := o.relay.Consumed(a.Circ, a.StreamID, len(a.Data), nil) // no reader: count it read
	return append(acts, more...)
}

// destEnd marks a stream the client closed.
func (o *Onion) destEnd(a *onion.Action) {
	if s := o.dest[a.Circ][a.StreamID]; s != nil {
		delete(o.dest[a.Circ], a.StreamID)
		s.remoteEnd(a.Reason)
	}
}

// destClosed fails every stream of a circuit that went away.
func (o *Onion) destClosed(circ onion.CircRef) {
	for _, s := range o.dest[circ] {
		s.fail(fmt.Errorf("%w: circuit closed at the destination", ErrCircuitBroken))
	}
	delete(o.dest, circ)
}

// signalDest wakes writers of the destination streams of circ: a cell on it
// may have been a SENDME opening their windows.
func (o *Onion) signalDest(circ onion.CircRef) {
	for _, s := range o.dest[circ] {
		s.wakeWriter()
	}
}

// deliver hands received bytes to a stream, resetting it if its buffer
// passes MaxStreamBuffer (a peer ignoring the window); o.mu held.
func (o *Onion) deliver(s *Stream, data []byte) {
	if s.push(data) {
		return
	}
	o.endLocked(s, onion.ReasonResources)
	s.fail(ErrReceiveOverflow)
}
