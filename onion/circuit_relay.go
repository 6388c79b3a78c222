package onion

import (
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"time"
)

// Relay defaults.
const (
	DefaultMaxCircuitsPerLink = 4096
	DefaultIdleTimeout        = 10 * time.Minute
	DefaultMaxCircuits        = 1 << 16
)

// RelayConfig configures a Relay. The zero value of each optional field is a
// safe default.
type RelayConfig struct {
	// Identity is this relay's identity as bound into handshakes (e.g. its
	// peer ID bytes). Required.
	Identity []byte
	// OnionKeys are the onion keys accepted, current first. Required. The
	// relay keeps its own copy of the slice; SetOnionKeys replaces them.
	OnionKeys []*OnionKey
	// Replay remembers handshake ephemerals; nil means a new MemoryReplaySet.
	Replay ReplaySet
	// Rand supplies randomness; nil means crypto/rand.
	Rand io.Reader
	// MaxCircuitsPerLink caps circuits created by one neighbour.
	MaxCircuitsPerLink int
	// MaxCircuits caps the circuits through or ending at this relay, pending
	// CREATEs included.
	MaxCircuits int
	// IdleTimeout is how long a circuit may carry no cell before Expire
	// destroys it.
	IdleTimeout time.Duration
	// AcceptStreams makes this relay a destination: BEGIN cells become
	// ActBegin actions instead of being refused.
	AcceptStreams bool
}

// Relay is the relay side of the onion protocol: all circuits that pass
// through or end at this node, keyed by (link, circuit ID). It is sans-IO and
// not safe for concurrent use: drive it from one goroutine.
//
// Driving it: for every cell read from link L, call HandleCell(now, L, cell,
// out) and execute the returned actions in order (even when an error is
// returned: the error says why a circuit was closed or a cell dropped, the
// actions still tear things down cleanly). Call LinkClosed when a link goes
// away and Expire periodically. As a destination, call Consumed as the
// application reads what ActData delivered.
type Relay struct {
	cfg      RelayConfig
	circs    map[CircRef]*relayCirc
	perLink  map[LinkID]int
	reserved map[CircRef]struct{}
	pending  map[CircRef]struct{} // CREATEs between BeginCreate and FinishCreate
	pendingN map[LinkID]int
	count    int
	counters RelayCounters
	// unexpected counts cells refused as out of place (see UnexpectedCells).
	unexpected uint64
}

// UnexpectedCells is how many cells this relay refused because they had no
// business arriving where they did (a backward RELAY_EARLY, a cell of the
// wrong direction or state, an unknown command on a circuit); each closed
// its circuit.
func (r *Relay) UnexpectedCells() uint64 { return r.unexpected }

// NewRelay validates cfg and returns a Relay.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	if len(cfg.Identity) == 0 || len(cfg.Identity) > MaxIdentityLen {
		return nil, fmt.Errorf("onion: RelayConfig.Identity: length %d not in 1..%d", len(cfg.Identity), MaxIdentityLen)
	}
	if len(cfg.OnionKeys) == 0 {
		return nil, fmt.Errorf("onion: RelayConfig.OnionKeys: none given")
	}
	cfg.OnionKeys = slices.Clone(cfg.OnionKeys)
	if slices.Contains(cfg.OnionKeys, nil) {
		return nil, fmt.Errorf("onion: RelayConfig.OnionKeys: nil key")
	}
	if cfg.Replay == nil {
		cfg.Replay = new(MemoryReplaySet)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.MaxCircuitsPerLink <= 0 {
		cfg.MaxCircuitsPerLink = DefaultMaxCircuitsPerLink
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxCircuits <= 0 {
		cfg.MaxCircuits = DefaultMaxCircuits
	}
	return &Relay{
		cfg: cfg, circs: make(map[CircRef]*relayCirc),
		perLink: make(map[LinkID]int), reserved: make(map[CircRef]struct{}),
		pending: make(map[CircRef]struct{}), pendingN: make(map[LinkID]int),
	}, nil
}

// Circuits returns the number of circuits through or ending at this relay.
func (r *Relay) Circuits() int { return r.count }

// HandleCell processes one cell read from link from, appending what to do to
// out. It never panics on peer input; a non-nil error describes a refused
// cell or a closed circuit.
func (r *Relay) HandleCell(now time.Time, from LinkID, cell *Cell, out []Action) ([]Action, error) {
	ref := CircRef{from, cell.CircID()}
	if err := cell.Check(); err != nil {
		if c := r.circs[ref]; c != nil { // an unknown command is a signal, not a cell
			r.unexpected++
			return r.fail(c, fmt.Errorf("%w: %w", ErrUnexpectedCell, err), ReasonProtocol, out)
		}
		return out, err
	}
	switch cell.Cmd() {
	case CmdPadding:
		return out, nil
	case CmdCreate:
		return r.onCreate(now, ref, cell, out)
	}
	c := r.circs[ref]
	if c == nil {
		return out, fmt.Errorf("%w: %v cell", ErrUnknownCircuit, cell.Cmd())
	}
	c.lastUsed = now
	fromPrev := ref == c.prev
	switch cmd := cell.Cmd(); {
	case cmd == CmdDestroy:
		return r.onDestroy(c, fromPrev, reasonOf(cell.Body()[:1]), out), nil
	case cmd == CmdCreated && !fromPrev:
		return r.onCreated(c, cell, out)
	case cmd.isRelay() && fromPrev:
		return r.forward(c, cell, out)
	case cmd == CmdRelay && c.state == nextOpen:
		return r.backward(c, cell, out), nil
	}
	r.unexpected++
	return r.fail(c, fmt.Errorf("%w: %v cell out of place", ErrUnexpectedCell, cell.Cmd()), ReasonProtocol, out)
}

// onCreate answers a CREATE with CREATED, or with DESTROY if refused. It
// runs the handshake inline; an IO layer that wants handshakes off its lock
// uses BeginCreate, Handshaker and FinishCreate instead.
func (r *Relay) onCreate(now time.Time, ref CircRef, cell *Cell, out []Action) ([]Action, error) {
	out, err := r.BeginCreate(ref, out)
	if err != nil {
		return out, err
	}
	reply, keys, err := r.handshake(cell.Body())
	return r.FinishCreate(now, ref, reply, keys, err, out)
}

// refuse answers a CREATE that made no circuit with a DESTROY.
func (r *Relay) refuse(ref CircRef, reason DestroyReason, out []Action) []Action {
	out = append(out, Action{Kind: ActSend, Link: ref.Link})
	_ = r.fillLinkCell(&out[len(out)-1].Cell, ref.CircID, CmdDestroy, []byte{byte(reason)})
	return out
}

// fillLinkCell writes a link cell with random padding into c.
func (r *Relay) fillLinkCell(c *Cell, circID uint32, cmd Command, payload []byte) error {
	c.SetHeader(circID, cmd)
	n := copy(c[bodyOff:], payload)
	if _, err := io.ReadFull(r.cfg.Rand, c[bodyOff+n:]); err != nil {
		clear(c[bodyOff+n:])
		return fmt.Errorf("onion: padding: %w", err)
	}
	return nil
}

// forward handles a relay cell from the client side: peel one layer, then
// handle it here if recognized, or pass it on.
func (r *Relay) forward(c *relayCirc, cell *Cell, out []Action) ([]Action, error) {
	early := cell.Cmd() == CmdRelayEarly
	if early {
		if c.early++; c.early > EarlyCells {
			return r.fail(c, fmt.Errorf("%w: more than %d RELAY_EARLY cells", ErrTooManyHops, EarlyCells), ReasonProtocol, out)
		}
		// Clients send RELAY_EARLY as a prefix only. An earlier hop that
		// downgrades some of them writes a pattern a colluding later hop
		// could read (the forward form of Tor's 2014 RELAY_EARLY attack);
		// early after plain is that pattern, so the circuit dies instead.
		if c.plain {
			return r.fail(c, fmt.Errorf("%w: RELAY_EARLY after RELAY", ErrProtocol), ReasonProtocol, out)
		}
	} else {
		c.plain = true
	}
	body := cell.Body()
	if c.layers.fwd.open(body, cell.Cmd()) {
		return r.recognized(c, early, body, out)
	}
	if c.state != nextOpen {
		return r.fail(c, ErrTagMismatch, ReasonIntegrity, out)
	}
	return sendCell(out, c.next, cell.Cmd(), cell), nil
}

// backward adds this hop's layer to a cell from the next hop.
func (r *Relay) backward(c *relayCirc, cell *Cell, out []Action) []Action {
	c.layers.bwd.encrypt(cell.Body(), CmdRelay)
	return sendCell(out, c.prev, CmdRelay, cell)
}

// sendCell appends an ActSend of a copy of cell to to, with cmd. It copies
// the 514-byte cell once, straight into out: the composite literal
// append(out, Action{…, Cell: *cell}) built it on the stack first, a tenth
// of a middle relay's time per cell.
func sendCell(out []Action, to CircRef, cmd Command, cell *Cell) []Action {
	out = slices.Grow(out, 1)[:len(out)+1]
	a := &out[len(out)-1]
	*a = Action{Kind: ActSend, Link: to.Link}
	a.Cell = *cell
	a.Cell.SetHeader(to.CircID, cmd)
	return out
}

// originate seals m with this hop's backward layer and sends it to the client.
func (r *Relay) originate(c *relayCirc, m RelayMsg, out []Action) []Action {
	out = append(out, Action{Kind: ActSend, Link: c.prev.Link})
	cell := &out[len(out)-1].Cell
	cell.SetHeader(c.prev.CircID, CmdRelay)
	_ = EncodeRelay(cell.Body(), m) // m built here, always valid
	c.layers.bwd.seal(cell.Body(), CmdRelay)
	return out
}
