package onion

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// recognized handles a relay cell addressed to this hop.
func (r *Relay) recognized(c *relayCirc, early bool, body *[BodySize]byte, out []Action) ([]Action, error) {
	m, err := DecodeRelay(body)
	if err != nil {
		return r.fail(c, err, ReasonProtocol, out)
	}
	if unwindowed(m.Cmd) && !(c.joined && isHS(m.Cmd)) {
		if c.free++; c.free > MaxUnwindowedCells {
			r.counters.UnwindowedClosed++
			return r.fail(c, fmt.Errorf("%w: %v", ErrUnwindowedCap, m.Cmd), ReasonProtocol, out)
		}
	}
	switch m.Cmd {
	case RelayDrop:
		return out, nil
	case RelayExtend:
		return r.onExtend(c, early, m.Data, out)
	case RelayTruncate:
		out = r.dropNext(c, ReasonRequested, out)
		return r.originate(c, RelayMsg{Cmd: RelayTruncated, Data: []byte{byte(ReasonRequested)}}, out), nil
	case RelayBegin, RelayData, RelayEnd, RelaySendme:
		return r.onStreamCell(c, m, out)
	}
	if isHS(m.Cmd) {
		return append(out, Action{Kind: ActRelay, Circ: c.prev, Cmd: m.Cmd, StreamID: m.StreamID, Data: m.Data}), nil
	}
	return r.fail(c, fmt.Errorf("%w: %v sent to a relay", ErrProtocol, m.Cmd), ReasonProtocol, out)
}

// unwindowed reports whether no flow-control window counts cmd.
func unwindowed(cmd RelayCommand) bool {
	return cmd == RelayDrop || cmd == RelayBegin || isHS(cmd)
}

func isHS(cmd RelayCommand) bool { return cmd >= RelayHSFirst && cmd <= RelayHSLast }

// onExtend asks the IO layer to reach the next hop. Only RELAY_EARLY cells
// may carry EXTEND, which is what bounds the path length (see EarlyCells).
func (r *Relay) onExtend(c *relayCirc, early bool, data []byte, out []Action) ([]Action, error) {
	if !early {
		return r.fail(c, fmt.Errorf("%w: EXTEND outside RELAY_EARLY", ErrTooManyHops), ReasonProtocol, out)
	}
	if c.state != nextNone {
		return r.fail(c, fmt.Errorf("%w: EXTEND on an extended circuit", ErrProtocol), ReasonProtocol, out)
	}
	create, identity, err := parseExtend(data)
	if err != nil {
		return r.fail(c, err, ReasonProtocol, out)
	}
	c.extend = (*[createPayloadLen]byte)(append([]byte(nil), create...))
	c.state = nextPending
	return append(out, Action{Kind: ActExtend, Circ: c.prev, Identity: append([]byte(nil), identity...)}), nil
}

// Attach completes an ActExtend: link leads to the requested peer. weDialed
// says whether this node opened that link; it picks the circuit ID's top bit
// so the two ends of a link never choose the same ID (tor-spec §5.1.1).
func (r *Relay) Attach(circ CircRef, link LinkID, weDialed bool, out []Action) ([]Action, error) {
	c := r.circs[circ]
	if c == nil || c.prev != circ || c.state != nextPending {
		return out, fmt.Errorf("%w: attach without pending extend", ErrUnknownCircuit)
	}
	id, err := r.newCircID(link, weDialed)
	if err != nil {
		return r.fail(c, err, ReasonResources, out)
	}
	c.next, c.state = CircRef{link, id}, nextAttached
	r.circs[c.next] = c
	out = append(out, Action{Kind: ActSend, Link: link})
	err = r.fillLinkCell(&out[len(out)-1].Cell, id, CmdCreate, c.extend[:])
	c.extend = nil
	return out, err
}

// ExtendFailed reports that the peer of an ActExtend could not be reached;
// the client gets a TRUNCATED and may try another hop.
func (r *Relay) ExtendFailed(circ CircRef, reason DestroyReason, out []Action) ([]Action, error) {
	c := r.circs[circ]
	if c == nil || c.prev != circ || c.state != nextPending {
		return out, fmt.Errorf("%w: no pending extend", ErrUnknownCircuit)
	}
	c.state, c.extend = nextNone, nil
	return r.originate(c, RelayMsg{Cmd: RelayTruncated, Data: []byte{byte(reason)}}, out), nil
}

// ReserveCircID allocates a circuit ID on link for a circuit this node
// builds as a client, so the relay never hands it out. The IO layer routes
// cells for reserved IDs to its ClientCircuit, not to HandleCell.
func (r *Relay) ReserveCircID(link LinkID, weDialed bool) (uint32, error) {
	id, err := r.newCircID(link, weDialed)
	if err == nil {
		r.reserved[CircRef{link, id}] = struct{}{}
	}
	return id, err
}

// ReleaseCircID frees an ID from ReserveCircID.
func (r *Relay) ReleaseCircID(link LinkID, id uint32) { delete(r.reserved, CircRef{link, id}) }

func (r *Relay) newCircID(link LinkID, weDialed bool) (uint32, error) {
	var b [4]byte
	for range 64 {
		if _, err := io.ReadFull(r.cfg.Rand, b[:]); err != nil {
			return 0, fmt.Errorf("onion: circuit id: %w", err)
		}
		id := binary.BigEndian.Uint32(b[:]) &^ (1 << 31)
		if weDialed {
			id |= 1 << 31
		}
		ref := CircRef{link, id}
		if _, used := r.circs[ref]; !used && id&^(1<<31) != 0 {
			if _, res := r.reserved[ref]; !res {
				return id, nil
			}
		}
	}
	return 0, ErrTooManyCircuits
}

// onCreated relays the next hop's handshake reply back as EXTENDED.
func (r *Relay) onCreated(c *relayCirc, cell *Cell, out []Action) ([]Action, error) {
	if c.state != nextAttached {
		return r.fail(c, fmt.Errorf("%w: unexpected CREATED", ErrProtocol), ReasonProtocol, out)
	}
	c.state = nextOpen
	m := RelayMsg{Cmd: RelayExtended, Data: cell.Body()[:HandshakeSize]}
	return r.originate(c, m, out), nil
}

// onDestroy handles a DESTROY from either side: from the client side the
// whole circuit goes (onwards with the reason normalized); from the next hop
// the client gets a TRUNCATED.
func (r *Relay) onDestroy(c *relayCirc, fromPrev bool, reason DestroyReason, out []Action) []Action {
	if fromPrev {
		return r.destroy(c, forwardedReason(reason), false, out)
	}
	delete(r.circs, c.next)
	c.state = nextNone
	return r.originate(c, RelayMsg{Cmd: RelayTruncated, Data: []byte{byte(truncatedReason(reason))}}, out)
}

// dropNext tears down the part of the circuit after this hop.
func (r *Relay) dropNext(c *relayCirc, reason DestroyReason, out []Action) []Action {
	if c.state >= nextAttached {
		out = r.sendDestroy(c.next, reason, out)
		delete(r.circs, c.next)
	}
	c.state, c.extend = nextNone, nil
	return out
}

// fail destroys the circuit in both directions because of err.
func (r *Relay) fail(c *relayCirc, err error, reason DestroyReason, out []Action) ([]Action, error) {
	return r.destroy(c, reason, true, out), err
}

// destroy removes c, sending DESTROY to the next hop and, if toPrev, to the
// client side.
func (r *Relay) destroy(c *relayCirc, reason DestroyReason, toPrev bool, out []Action) []Action {
	out = r.dropNext(c, reason, out)
	if toPrev {
		out = r.sendDestroy(c.prev, reason, out)
	}
	delete(r.circs, c.prev)
	r.perLink[c.prev.Link]--
	if r.perLink[c.prev.Link] <= 0 {
		delete(r.perLink, c.prev.Link)
	}
	r.count--
	return append(out, Action{Kind: ActClosed, Circ: c.prev, Reason: reason})
}

func (r *Relay) sendDestroy(ref CircRef, reason DestroyReason, out []Action) []Action {
	out = append(out, Action{Kind: ActSend, Link: ref.Link})
	_ = r.fillLinkCell(&out[len(out)-1].Cell, ref.CircID, CmdDestroy, []byte{byte(reason)})
	return out
}

// LinkClosed tears down every circuit using link: circuits whose client side
// it was are destroyed onwards; circuits that continued over it are
// truncated back to their client.
func (r *Relay) LinkClosed(link LinkID, out []Action) []Action {
	for ref, c := range r.circs {
		if ref.Link != link {
			continue
		}
		if ref == c.prev {
			out = r.destroy(c, ReasonLinkClosed, false, out)
		} else if r.circs[c.prev] == c {
			out = r.onDestroy(c, false, ReasonLinkClosed, out)
		}
	}
	for ref := range r.reserved {
		if ref.Link == link {
			delete(r.reserved, ref)
		}
	}
	for ref := range r.pending {
		if ref.Link == link {
			r.unpend(ref)
		}
	}
	return out
}

// LinkBusy reports whether any circuit, built or being built, uses link.
func (r *Relay) LinkBusy(link LinkID) bool {
	for ref := range r.circs {
		if ref.Link == link {
			return true
		}
	}
	for ref := range r.reserved {
		if ref.Link == link {
			return true
		}
	}
	return r.pendingN[link] > 0
}

// Expire destroys circuits that carried no cell for IdleTimeout before now.
func (r *Relay) Expire(now time.Time, out []Action) []Action {
	for ref, c := range r.circs {
		if ref == c.prev && now.Sub(c.lastUsed) > r.cfg.IdleTimeout {
			out = r.destroy(c, ReasonExpired, true, out)
		}
	}
	return out
}
