package onion

// EventKind says what a received cell meant to the caller.
type EventKind uint8

// Event kinds.
const (
	EventNone         EventKind = iota // nothing for the caller (padding, SENDME, DROP)
	EventHopAdded                      // client: Hop is now the last hop
	EventConnected                     // client: stream StreamID is open
	EventBegin                         // destination: peer wants StreamID to Target
	EventData                          // Data arrived on StreamID; report reads with Consumed
	EventEnd                           // stream StreamID ended with Reason
	EventTruncated                     // client: hops after Hop are gone
	EventDestroyed                     // the circuit is gone (Reason)
	EventRelay                         // a hidden-service relay cell (Cmd) for the caller
	EventExtendFailed                  // client: the pending EXTEND failed (Reason)
)

// Event is what a received cell meant. Data aliases the cell it came from:
// copy it before reusing that cell.
type Event struct {
	Kind     EventKind
	Hop      int // 1-based hop the cell came from (client side)
	StreamID uint16
	Target   string
	Data     []byte
	Cmd      RelayCommand
	Reason   DestroyReason
}
