package onion

import "errors"

// Sentinel errors. Callers branch on them with errors.Is; functions wrap them
// with context using %w. Messages never contain a peer's address or identity.
var (
	// ErrCellLength: a cell or body is not exactly the fixed size.
	ErrCellLength = errors.New("onion: wrong cell length")
	// ErrBadCommand: a link cell carries a command this version does not know.
	ErrBadCommand = errors.New("onion: bad cell command")
	// ErrBadRelayCommand: a relay cell carries an unknown relay command.
	ErrBadRelayCommand = errors.New("onion: bad relay command")
	// ErrRelayLength: a relay cell's length field exceeds MaxRelayData.
	ErrRelayLength = errors.New("onion: relay data too long")
	// ErrMalformed: a CREATE, EXTEND or BEGIN payload does not parse.
	ErrMalformed = errors.New("onion: malformed payload")

	// ErrHandshake: the Noise handshake failed (wrong key, corrupted message).
	ErrHandshake = errors.New("onion: handshake failed")
	// ErrReplay: a CREATE reused a handshake ephemeral key already seen under
	// the same onion key.
	ErrReplay = errors.New("onion: replayed handshake")
	// ErrReplayFull: the replay set of the onion key a CREATE names is full,
	// so the relay cannot tell a replay and refuses until it rotates the key.
	ErrReplayFull = errors.New("onion: replay set full, onion key due for rotation")
	// ErrVersion: a CREATE speaks another cells version (v1 and v2 refuse
	// each other rather than fall back).
	ErrVersion = errors.New("onion: unsupported cells version")
	// ErrUnknownKey: a CREATE names an onion key this relay does not hold.
	ErrUnknownKey = errors.New("onion: unknown onion key")

	// ErrTagMismatch: a cell reached the end of its path without any hop
	// recognizing it: it was modified (tagging) or the layers lost sync. The
	// circuit must be closed.
	ErrTagMismatch = errors.New("onion: cell integrity check failed")
	// ErrUnknownCircuit: a cell names a circuit that does not exist on its link.
	ErrUnknownCircuit = errors.New("onion: unknown circuit")
	// ErrCircuitExists: a CREATE reuses a circuit ID already open on the link.
	ErrCircuitExists = errors.New("onion: circuit id in use")
	// ErrTooManyCircuits: the neighbour link already holds its circuit quota.
	ErrTooManyCircuits = errors.New("onion: too many circuits on link")
	// ErrTooManyHops: an EXTEND would make the circuit longer than MaxHops.
	ErrTooManyHops = errors.New("onion: circuit too long")
	// ErrProtocol: a peer sent a cell that is valid on its own but not in the
	// circuit's current state (e.g. EXTEND outside RELAY_EARLY, data before
	// the circuit is built).
	ErrProtocol = errors.New("onion: protocol violation")
	// ErrUnexpectedCell: a cell that has no business arriving where it did
	// (inbound RELAY_EARLY, DROP beyond the padding budget, a hidden-service
	// cell on a circuit that is not one, an unknown command). Such cells are
	// the carrier of "dropmark"-style signals, so they close the circuit.
	ErrUnexpectedCell = errors.New("onion: unexpected cell")
	// ErrCircuitClosed: the circuit was destroyed or truncated.
	ErrCircuitClosed = errors.New("onion: circuit closed")

	// ErrUnknownStream: a stream ID that is not open on this circuit.
	ErrUnknownStream = errors.New("onion: unknown stream")
	// ErrTooManyStreams: no free stream ID on the circuit.
	ErrTooManyStreams = errors.New("onion: too many streams")
	// ErrWindowExhausted: the flow-control window allows no more cells now;
	// wait for a SENDME.
	ErrWindowExhausted = errors.New("onion: flow-control window exhausted")
	// ErrSendmeForged: a SENDME did not carry the tag of the cell that should
	// have triggered it, or arrived when nothing was outstanding.
	ErrSendmeForged = errors.New("onion: forged sendme")
	// ErrWindowViolated: a peer sent more DATA cells than the circuit
	// window allows; the circuit is closed.
	ErrWindowViolated = errors.New("onion: circuit window violated")
	// ErrCircuitCap: the relay already holds its global circuit cap.
	ErrCircuitCap = errors.New("onion: relay circuit cap reached")
	// ErrUnwindowedCap: a circuit sent more cells that no window counts
	// (DROP, BEGIN, hidden-service cells) than MaxUnwindowedCells.
	ErrUnwindowedCap = errors.New("onion: too many unwindowed cells")
)
