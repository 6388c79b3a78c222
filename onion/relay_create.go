package onion

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// CREATE in three steps, so an IO layer can run the handshake (the one
// costly step, ~120 µs of X25519 and hashing) outside the lock that guards
// the Relay: BeginCreate checks the caps and reserves the circuit ID under
// the lock, Handshaker().Respond runs anywhere, FinishCreate admits the
// circuit (or refuses it) under the lock again.

// MaxUnwindowedCells caps, per circuit, the cells a client may send to a hop
// that no flow-control window counts: DROP, BEGIN and hidden-service cells.
// Honest clients send a handful (padding DROPs of the early prefix, one
// BEGIN per stream); without a cap one circuit could make a hop spend CPU
// (and, for hidden-service cells, IO work) without end.
const MaxUnwindowedCells = 1024

// RelayCounters count what the relay's defences refused.
type RelayCounters struct {
	LinkCapRefused    uint64 // CREATEs over MaxCircuitsPerLink
	CircuitCapRefused uint64 // CREATEs over MaxCircuits
	WindowViolations  uint64 // circuits closed for overrunning the circuit window
	UnwindowedClosed  uint64 // circuits closed for passing MaxUnwindowedCells
	ReplaysRefused    uint64 // CREATEs refused: ephemeral already seen
	ReplayFullRefused uint64 // CREATEs refused: the key's replay set is full
}

// Counters returns the relay's defence counters.
func (r *Relay) Counters() RelayCounters { return r.counters }

// BeginCreate checks a CREATE for ref against the caps and reserves ref
// until FinishCreate. A refused CREATE gets its DESTROY appended to out.
func (r *Relay) BeginCreate(ref CircRef, out []Action) ([]Action, error) {
	if _, used := r.circs[ref]; used || ref.CircID == 0 {
		return out, fmt.Errorf("%w: %d", ErrCircuitExists, ref.CircID)
	}
	if _, busy := r.pending[ref]; busy {
		return out, fmt.Errorf("%w: %d", ErrCircuitExists, ref.CircID)
	}
	if r.perLink[ref.Link]+r.pendingN[ref.Link] >= r.cfg.MaxCircuitsPerLink {
		r.counters.LinkCapRefused++
		return r.refuse(ref, ReasonResources, out), ErrTooManyCircuits
	}
	if r.count+len(r.pending) >= r.cfg.MaxCircuits {
		r.counters.CircuitCapRefused++
		return r.refuse(ref, ReasonResources, out), ErrCircuitCap
	}
	r.pending[ref] = struct{}{}
	r.pendingN[ref.Link]++
	return out, nil
}

// FinishCreate completes a CREATE begun with BeginCreate, given what the
// handshake returned. If ref's link closed meanwhile it does nothing.
func (r *Relay) FinishCreate(now time.Time, ref CircRef, reply []byte, keys *HopKeys, herr error, out []Action) ([]Action, error) {
	if _, ok := r.pending[ref]; !ok {
		return out, fmt.Errorf("%w: CREATE no longer pending", ErrUnknownCircuit)
	}
	r.unpend(ref)
	if herr != nil {
		r.countHandshakeErr(herr)
		reason := ReasonProtocol
		if errors.Is(herr, ErrVersion) {
			reason = ReasonVersion
		}
		return r.refuse(ref, reason, out), herr
	}
	c := &relayCirc{prev: ref, layers: newHopLayers(keys), lastUsed: now}
	r.circs[ref] = c
	r.perLink[ref.Link]++
	r.count++
	out = append(out, Action{Kind: ActSend, Link: ref.Link})
	return out, r.fillLinkCell(&out[len(out)-1].Cell, ref.CircID, CmdCreated, reply)
}

func (r *Relay) countHandshakeErr(err error) {
	switch {
	case errors.Is(err, ErrReplayFull):
		r.counters.ReplayFullRefused++
	case errors.Is(err, ErrReplay):
		r.counters.ReplaysRefused++
	}
}

// RefuseCreate answers a CREATE the IO layer refuses before BeginCreate
// (its rate limits, a full handshake queue) with DESTROY (resources).
func (r *Relay) RefuseCreate(ref CircRef, out []Action) []Action {
	return r.refuse(ref, ReasonResources, out)
}

// AbortCreate refuses a CREATE begun with BeginCreate whose handshake the
// IO layer will not run (its queue is full): DESTROY (resources).
func (r *Relay) AbortCreate(ref CircRef, out []Action) []Action {
	if _, ok := r.pending[ref]; !ok {
		return out
	}
	r.unpend(ref)
	return r.refuse(ref, ReasonResources, out)
}

func (r *Relay) unpend(ref CircRef) {
	delete(r.pending, ref)
	if r.pendingN[ref.Link]--; r.pendingN[ref.Link] <= 0 {
		delete(r.pendingN, ref.Link)
	}
}

// CloseCircuit destroys the circuit that ref (either of its sides) names,
// towards both neighbours; it reports false if there is none. The IO layer
// uses it to shed circuits (queue overrun, memory pressure).
func (r *Relay) CloseCircuit(ref CircRef, reason DestroyReason, out []Action) ([]Action, bool) {
	c := r.circs[ref]
	if c == nil {
		return out, false
	}
	return r.destroy(c, reason, true, out), true
}

// CountWindowViolation records a circuit the IO layer closed because its
// peer overran the circuit window (cells queued beyond it).
func (r *Relay) CountWindowViolation() { r.counters.WindowViolations++ }

// Handshaker answers CREATE handshakes; it is a snapshot of the relay's
// identity and keys, safe for concurrent use if the relay's Rand is (the
// default crypto/rand is) and its ReplaySet is (MemoryReplaySet is).
type Handshaker struct {
	identity []byte
	keys     []*OnionKey
	replay   ReplaySet
	rand     io.Reader
}

// Handshaker returns the relay's current Handshaker. Take a new one after
// SetOnionKeys.
func (r *Relay) Handshaker() Handshaker {
	return Handshaker{identity: r.cfg.Identity, keys: slices.Clone(r.cfg.OnionKeys), replay: r.cfg.Replay, rand: r.cfg.Rand}
}

// Respond finds the onion key a CREATE payload names and answers it.
func (h Handshaker) Respond(payload *[BodySize]byte) ([]byte, *HopKeys, error) {
	if v := payload[createVersionOff]; v != CellsVersion {
		return nil, nil, fmt.Errorf("%w: CREATE of cells version %d, this relay speaks %d", ErrVersion, v, CellsVersion)
	}
	id := KeyID(payload[createKeyIDOff:createMsgOff])
	for _, k := range h.keys {
		if k.ID() != id {
			continue
		}
		if room, _ := h.replay.Room(id); room <= 0 { // refused before the costly step
			return nil, nil, ErrReplayFull
		}
		reply, keys, err := respondHandshake(h.rand, h.identity, k, payload[createMsgOff:createPayloadLen], h.replay)
		if room, _ := h.replay.Room(id); errors.Is(err, ErrReplay) && room <= 0 {
			err = ErrReplayFull // filled by a concurrent handshake meanwhile
		}
		return reply, keys, err
	}
	return nil, nil, ErrUnknownKey
}
