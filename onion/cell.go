package onion

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Link cell layout. Every cell on every link has exactly CellSize bytes, so an
// observer of a link learns nothing from sizes.
const (
	CellSize = circIDLen + cmdLen + BodySize // 514: the only cell size

	circIDOff = 0 // circID  4 bytes, big-endian; chosen by the sender of CREATE
	circIDLen = 4
	cmdOff    = circIDOff + circIDLen // cmd     1 byte, a Command
	cmdLen    = 1
	bodyOff   = cmdOff + cmdLen // body  509 bytes, meaning depends on cmd

	// BodySize is the size of a cell body, the unit the layer crypto works on.
	BodySize = 509
)

// Command is a link-level cell command: it is visible to the two neighbours
// of a link (and to anyone who broke the link encryption), so it carries as
// little as possible.
type Command uint8

// Link commands.
const (
	CmdPadding    Command = 0 // link padding, discarded by the neighbour
	CmdCreate     Command = 1 // body: CREATE payload (key ID, Noise message 1)
	CmdCreated    Command = 2 // body: Noise message 2
	CmdRelay      Command = 3 // body: onion-encrypted relay cell
	CmdRelayEarly Command = 4 // as CmdRelay; at most EarlyCells per circuit
	CmdDestroy    Command = 5 // body[0]: reason; tears the circuit down
	numCommands           = 6
)

func (c Command) String() string {
	names := [...]string{"PADDING", "CREATE", "CREATED", "RELAY", "RELAY_EARLY", "DESTROY"}
	if int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("Command(%d)", uint8(c))
}

// isRelay reports whether cells of this command carry a relay cell.
func (c Command) isRelay() bool { return c == CmdRelay || c == CmdRelayEarly }

// Cell is one fixed-size link cell. It is a value type: the IO layer reads
// straight into one with io.ReadFull(r, cell[:]) and checks it with Check.
type Cell [CellSize]byte

// CircID returns the circuit ID field.
func (c *Cell) CircID() uint32 { return binary.BigEndian.Uint32(c[circIDOff:]) }

// Cmd returns the command field.
func (c *Cell) Cmd() Command { return Command(c[cmdOff]) }

// Body returns the 509-byte body as an array pointer aliasing the cell.
func (c *Cell) Body() *[BodySize]byte { return (*[BodySize]byte)(c[bodyOff:]) }

// SetHeader writes the circuit ID and command.
func (c *Cell) SetHeader(circID uint32, cmd Command) {
	binary.BigEndian.PutUint32(c[circIDOff:], circID)
	c[cmdOff] = byte(cmd)
}

// Check validates the header of a cell read from a link.
func (c *Cell) Check() error {
	if c.Cmd() >= numCommands {
		return fmt.Errorf("%w: %d", ErrBadCommand, c.Cmd())
	}
	return nil
}

// ParseCell copies b into c and validates it. b must be exactly CellSize long.
func ParseCell(c *Cell, b []byte) error {
	if len(b) != CellSize {
		return fmt.Errorf("%w: %d bytes", ErrCellLength, len(b))
	}
	copy(c[:], b)
	return c.Check()
}

// newLinkCell builds a cell whose body is payload followed by random padding.
// Relay cells do not use it: their whole body is enciphered, so it already
// looks random.
func newLinkCell(rand io.Reader, circID uint32, cmd Command, payload []byte) (*Cell, error) {
	c := new(Cell)
	c.SetHeader(circID, cmd)
	n := copy(c[bodyOff:], payload)
	if _, err := io.ReadFull(rand, c[bodyOff+n:]); err != nil {
		return nil, fmt.Errorf("onion: padding: %w", err)
	}
	return c, nil
}

// DestroyReason says why a circuit was torn down (DESTROY body[0], TRUNCATED
// and END data[0]).
type DestroyReason uint8

// Destroy reasons.
const (
	ReasonNone        DestroyReason = 0
	ReasonProtocol    DestroyReason = 1 // peer broke the protocol
	ReasonIntegrity   DestroyReason = 2 // a cell failed its integrity check
	ReasonResources   DestroyReason = 3 // limits reached
	ReasonConnectFail DestroyReason = 4 // the next hop could not be reached
	ReasonRequested   DestroyReason = 5 // the client asked for it
	ReasonExpired     DestroyReason = 6 // idle timeout
	ReasonLinkClosed  DestroyReason = 7 // the neighbour link went away
	ReasonRefused     DestroyReason = 8 // stream target refused or unknown
	ReasonVersion     DestroyReason = 9 // the CREATE spoke another cells version
	numReasons                      = 10
)

// forwardedReason is the reason a relay passes on for a DESTROY it got from
// its neighbour: always ReasonNone. The byte came from another hop, and
// forwarding it would give that hop an 8-bit channel to the next one (a
// colluding guard telling the exit "this is the circuit I marked").
func forwardedReason(DestroyReason) DestroyReason { return ReasonNone }

// truncatedReason is the reason a relay reports in TRUNCATED for a DESTROY
// from its next hop: a known reason passes (the client acts on
// ReasonIntegrity), anything else becomes ReasonProtocol.
func truncatedReason(r DestroyReason) DestroyReason {
	if r < numReasons {
		return r
	}
	return ReasonProtocol
}

// NewDestroyCell returns a DESTROY cell for circID with random padding.
func NewDestroyCell(rand io.Reader, circID uint32, reason DestroyReason) (*Cell, error) {
	return newLinkCell(rand, circID, CmdDestroy, []byte{byte(reason)})
}

// NewPaddingCell returns a link PADDING cell (circID 0), which the neighbour
// drops. Useful to keep a link busy.
func NewPaddingCell(rand io.Reader) (*Cell, error) {
	return newLinkCell(rand, 0, CmdPadding, nil)
}
