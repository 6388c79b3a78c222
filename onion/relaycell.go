package onion

import (
	"encoding/binary"
	"fmt"
)

// Relay cell layout, inside the 509-byte body of a RELAY cell, as the hop it
// is meant for sees it after removing its layer. To every other hop, and on
// every link, the whole body is indistinguishable from random bytes.
const (
	tagOff      = 0 // tag      16 bytes: recognition MAC (see crypto.go)
	TagSize     = 16
	rcmdOff     = tagOff + TagSize // relay cmd 1 byte, a RelayCommand
	streamOff   = rcmdOff + 1      // streamID 2 bytes big-endian, 0 = circuit
	lengthOff   = streamOff + 2    // length   2 bytes big-endian, ≤ MaxRelayData
	relayHdrLen = lengthOff + 2    // data follows; unused bytes are zero
	dataOff     = relayHdrLen

	// MaxRelayData is the payload capacity of one relay cell.
	MaxRelayData = BodySize - relayHdrLen // 488
)

// RelayCommand is the command of a relay cell, visible only to the two
// endpoints of the layer it travels in.
type RelayCommand uint8

// Relay commands. Hidden-service cells use the reserved range
// [RelayHSFirst, RelayHSLast]; this package parses them but leaves their
// meaning to the caller.
const (
	RelayBegin     RelayCommand = 1  // data: target service name
	RelayConnected RelayCommand = 2  // empty
	RelayData      RelayCommand = 3  // stream bytes
	RelayEnd       RelayCommand = 4  // data[0]: DestroyReason
	RelayExtend    RelayCommand = 5  // data: extendPayload
	RelayExtended  RelayCommand = 6  // data: Noise message 2
	RelaySendme    RelayCommand = 7  // data: tag of the triggering cell
	RelayTruncate  RelayCommand = 8  // empty: drop everything after this hop
	RelayTruncated RelayCommand = 9  // data[0]: DestroyReason
	RelayDrop      RelayCommand = 10 // padding, discarded by its hop

	RelayHSFirst RelayCommand = 32 // first hidden-service command
	RelayHSLast  RelayCommand = 63 // last hidden-service command
)

// Valid reports whether r is a known or reserved relay command.
func (r RelayCommand) Valid() bool {
	return (r >= RelayBegin && r <= RelayDrop) || (r >= RelayHSFirst && r <= RelayHSLast)
}

func (r RelayCommand) String() string {
	names := [...]string{"", "BEGIN", "CONNECTED", "DATA", "END", "EXTEND",
		"EXTENDED", "SENDME", "TRUNCATE", "TRUNCATED", "DROP"}
	if r >= RelayBegin && r <= RelayDrop {
		return names[r]
	}
	return fmt.Sprintf("RelayCommand(%d)", uint8(r))
}

// RelayMsg is a decoded relay cell. Data aliases the body it was decoded
// from: copy it before the body is reused.
type RelayMsg struct {
	Cmd      RelayCommand
	StreamID uint16
	Data     []byte
}

// EncodeRelay writes m into body, leaving the tag field for the layer crypto
// to fill. Unused data bytes are zeroed: the wide-block cipher hides them
// completely, so random padding would buy nothing there.
func EncodeRelay(body *[BodySize]byte, m RelayMsg) error {
	if !m.Cmd.Valid() {
		return fmt.Errorf("%w: %d", ErrBadRelayCommand, m.Cmd)
	}
	if len(m.Data) > MaxRelayData {
		return fmt.Errorf("%w: %d bytes", ErrRelayLength, len(m.Data))
	}
	body[rcmdOff] = byte(m.Cmd)
	binary.BigEndian.PutUint16(body[streamOff:], m.StreamID)
	binary.BigEndian.PutUint16(body[lengthOff:], uint16(len(m.Data)))
	n := copy(body[dataOff:], m.Data)
	clear(body[dataOff+n:])
	return nil
}

// DecodeRelay parses a relay cell body that its hop has recognized.
func DecodeRelay(body *[BodySize]byte) (RelayMsg, error) {
	m := RelayMsg{
		Cmd:      RelayCommand(body[rcmdOff]),
		StreamID: binary.BigEndian.Uint16(body[streamOff:]),
	}
	if !m.Cmd.Valid() {
		return RelayMsg{}, fmt.Errorf("%w: %d", ErrBadRelayCommand, m.Cmd)
	}
	n := int(binary.BigEndian.Uint16(body[lengthOff:]))
	if n > MaxRelayData {
		return RelayMsg{}, fmt.Errorf("%w: %d bytes", ErrRelayLength, n)
	}
	m.Data = body[dataOff : dataOff+n]
	return m, nil
}
