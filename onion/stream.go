package onion

import (
	"fmt"
	"math"
)

// Stream and path limits.
const (
	// MaxHops is the longest circuit: up to 7 relays plus the destination.
	MaxHops = 8
	// EarlyCells is how many forward relay cells of each circuit travel as
	// RELAY_EARLY. Every EXTEND must be one, and a relay passes at most
	// EarlyCells of them per circuit; the first hop sees every EXTEND of the
	// circuit, so no circuit can grow past 1 + EarlyCells = MaxHops hops
	// (Tor's RELAY_EARLY rule, tor-spec §5.6, with Tor's 8 lowered by one so
	// the cap is 8 hops, not 9). The client marks its relay cells early,
	// whatever they carry, until PadEarly ends the prefix at a random total
	// (early.go): the guard's count has one distribution for every path of up
	// to 4 hops, and no hop reads its position off its count. The command is
	// bound into every layer's tweak, so no hop can rewrite the pattern.
	EarlyCells = MaxHops - 1
	// MaxTargetLen bounds a BEGIN target service name.
	MaxTargetLen = 255
	// MaxIdentityLen bounds the opaque next-hop identity in an EXTEND.
	MaxIdentityLen = 128
	// MaxStreamsPerCircuit bounds the streams a client may hold open at
	// once on one circuit ending at a destination. Every stream costs the
	// destination's IO layer a handler and a receive buffer of up to
	// StreamWindowStart cells, so without a cap one circuit could open
	// 65535 of them for a few hundred bytes each. BEGINs past the cap are
	// refused with END (ReasonResources); the circuit stays up.
	MaxStreamsPerCircuit = 256
)

type streamState uint8

const (
	streamOpening streamState = iota // BEGIN sent, waiting for CONNECTED
	streamOpen
	streamEnded // END received; kept while its unread cells are held
)

// stream is one end of a multiplexed stream: its flow-control windows.
type stream struct {
	state streamState
	send  sendWindow
	recv  consumeWindow
}

func newStream(state streamState) *stream {
	return &stream{
		state: state,
		send:  newSendWindow(StreamWindowStart, StreamWindowIncrement),
		recv:  newConsumeWindow(StreamWindowStart, StreamWindowIncrement),
	}
}

// streamSet is the streams of one circuit end.
type streamSet struct {
	m    map[uint16]*stream
	next uint16
}

// open allocates a fresh nonzero stream ID.
func (s *streamSet) open() (uint16, *stream, error) {
	if s.m == nil {
		s.m = make(map[uint16]*stream)
	}
	for range math.MaxUint16 {
		s.next++
		if s.next == 0 {
			s.next = 1
		}
		if _, used := s.m[s.next]; !used {
			st := newStream(streamOpening)
			s.m[s.next] = st
			return s.next, st, nil
		}
	}
	return 0, nil, ErrTooManyStreams
}

// add registers a stream the peer opened.
func (s *streamSet) add(id uint16) (*stream, error) {
	if id == 0 {
		return nil, fmt.Errorf("%w: stream id 0", ErrProtocol)
	}
	if s.m == nil {
		s.m = make(map[uint16]*stream)
	}
	if _, used := s.m[id]; used {
		return nil, fmt.Errorf("%w: stream %d already open", ErrProtocol, id)
	}
	st := newStream(streamOpen)
	s.m[id] = st
	return st, nil
}

func (s *streamSet) get(id uint16) (*stream, error) {
	st := s.m[id]
	if st == nil || st.state == streamEnded {
		return nil, fmt.Errorf("%w: %d", ErrUnknownStream, id)
	}
	return st, nil
}

// sendable returns how many DATA cells the stream may send now given the
// circuit window.
func (s *streamSet) sendable(id uint16, circ *sendWindow) int {
	st := s.m[id]
	if st == nil || st.state != streamOpen {
		return 0
	}
	return max(0, min(circ.avail, st.send.avail))
}
