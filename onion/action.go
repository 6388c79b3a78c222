package onion

import "time"

// LinkID names a neighbour link. The IO layer assigns them (one per libp2p
// stream) and maps them back to peers; this package never learns addresses.
type LinkID uint64

// CircRef names a circuit on one link.
type CircRef struct {
	Link   LinkID
	CircID uint32
}

// ActionKind says what the IO layer must do with an Action.
type ActionKind uint8

// Action kinds.
const (
	// ActSend: write Cell to Link.
	ActSend ActionKind = iota + 1
	// ActExtend: find or open a link to the peer with Identity, then call
	// Relay.Attach(Circ, link, …); or Relay.ExtendFailed(Circ, …) if it
	// cannot be reached. Identity is a copy the caller may keep.
	ActExtend
	// ActBegin: (destination role) the client asks to open StreamID on
	// circuit Circ to the service Target. Answer with Relay.Connected or
	// Relay.EndStream.
	ActBegin
	// ActData: Data arrived on stream StreamID of Circ. Data aliases the
	// cell passed to HandleCell. Report it with Relay.Consumed as the
	// application reads it: the stream's window reopens only then.
	ActData
	// ActEnd: the client closed stream StreamID of Circ (Reason).
	ActEnd
	// ActRelay: a hidden-service relay cell (Cmd, StreamID, Data) for us.
	ActRelay
	// ActClosed: circuit Circ is gone; forget anything attached to it.
	ActClosed
)

// Action is one thing the IO layer must do after feeding a cell to a Relay.
// Circ always names the circuit by its link towards the client.
type Action struct {
	Kind     ActionKind
	Link     LinkID
	Cell     Cell
	Circ     CircRef
	Identity []byte
	StreamID uint16
	Target   string
	Data     []byte
	Cmd      RelayCommand
	Reason   DestroyReason
}

// relayCirc is a relay's state for one circuit: the two links it joins, its
// layer keys, and (only if streams end here) the endpoint state.
type relayCirc struct {
	prev     CircRef // towards the client
	next     CircRef // towards the destination, if nextState ≥ nextAttached
	state    nextState
	layers   hopLayers
	early    int  // RELAY_EARLY cells seen forward
	free     int  // unwindowed cells (DROP, BEGIN, HS) seen here; see MaxUnwindowedCells
	joined   bool // a rendezvous point joined it: its HS cells are data (JoinData)
	plain    bool // a forward RELAY seen: no RELAY_EARLY may follow
	lastUsed time.Time
	extend   *[createPayloadLen]byte // CREATE payload awaiting Attach
	ep       *endpoint               // destination role, created on first BEGIN
}

type nextState uint8

const (
	nextNone     nextState = iota // this relay is the last hop
	nextPending                   // EXTEND received, waiting for Attach
	nextAttached                  // CREATE sent, waiting for CREATED
	nextOpen                      // cells flow through
)
