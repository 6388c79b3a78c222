package overlay

import (
	"context"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// extendTimeout bounds how long a relay tries to reach the next hop of an
// EXTEND before it answers the client with a TRUNCATED.
const extendTimeout = 10 * time.Second

// relayedCirc mirrors one entry of the onion.Relay's circuit table with the
// neighbours it joins, for Status and for tests asserting what a relay
// learns: its two neighbours and nothing else.
type relayedCirc struct {
	prev, next peer.ID
	created    time.Time
	lookedUp   bool // the circuit spent its one descriptor lookup
	carried    bool // it carried cells beyond its handshake (createstanding.go)
}

// RelayedCircuit is what this node knows of a circuit passing through or
// ending at it: the neighbour towards the client, the one towards the
// destination (empty if it ends here), and its age.
type RelayedCircuit struct {
	Prev, Next peer.ID
	Created    time.Time
}

// RelayedCircuits returns the relay's circuit table.
func (o *Onion) RelayedCircuits() []RelayedCircuit {
	o.mu.Lock()
	defer o.unlock()
	out := make([]RelayedCircuit, 0, len(o.relayed))
	for _, r := range o.relayed {
		out = append(out, RelayedCircuit{Prev: r.prev, Next: r.next, Created: r.created})
	}
	return out
}

// handleCells is the read loops' entry: cells read from link l, handled
// under one acquisition of the lock, then paced by RelayRate. It returns
// what the read loop must wait for before it reads l again (readpause.go).
func (o *Onion) handleCells(l *link, cells []onion.Cell) readPause {
	if f := o.tamper.Load(); f != nil {
		for i := range cells {
			(*f)(l.peer, &cells[i])
		}
	}
	relayed := 0
	o.mu.Lock()
	o.now = o.clock()
	peerRefused, subnetRefused := o.defence.PeerRateRefused, o.defence.SubnetRateRefused
	for i := range cells {
		if !o.closed && cells[i].CircID() != 0 && o.handleCell(l, &cells[i]) { // 0: link padding
			relayed++
		}
	}
	p := readPause{out: o.congestedOut(l)}
	if n := o.defence.PeerRateRefused - peerRefused; (n > 0 || o.defence.SubnetRateRefused > subnetRefused) && !o.relayNeighbour(l.peer) {
		p.wait = o.limiter.penalty(o.now, l.peer, l.prefix, n)
	}
	o.unlock()
	o.relayedBytes.Add(uint64(relayed * onion.CellSize))
	o.pace.wait(relayed * onion.CellSize)
	return p
}

// relayNeighbour reports whether p is a relay of the directory. Its
// refused CREATEs pause no read: a relay's link multiplexes the circuits
// of many clients, and a client that floods CREATEs through an honest
// relay must not stall every other circuit on that relay's link to us (as
// Tor's DoS limits apply to client connections only). Its excess CREATEs
// are still refused, and its handshakes take one turn of the fair queue.
func (o *Onion) relayNeighbour(p peer.ID) bool {
	d, ok := o.ov.dir.Get(p)
	return ok && d.Roles&RoleRelay != 0
}

// RelayedBytes counts the cell bytes this node's relay has handled for
// other nodes' circuits since start: forwarded, or ending here at a gateway.
func (o *Onion) RelayedBytes() uint64 { return o.relayedBytes.Load() }

// handleCell handles one cell from link l and reports whether it was for
// the relay (someone else's circuit) rather than a circuit of ours; o.mu
// held.
func (o *Onion) handleCell(l *link, cell *onion.Cell) bool {
	ref := onion.CircRef{Link: l.id, CircID: cell.CircID()}
	if c := o.clients[ref]; c != nil {
		o.clientCell(c, cell)
		return false
	}
	if cell.Cmd() == onion.CmdCreate && cell.Check() == nil {
		if o.dropRetiredCreate(l) { // linkpair.go
			return true
		}
		o.onCreate(l, cell) // handshake off the lock: createpool.go
		return true
	}
	acts, err := o.relay.HandleCell(o.now, l.id, cell, o.acts[:0])
	if err != nil {
		o.log.Debug("onion cell refused", "err", scrub(err))
	}
	o.execute(acts)
	o.signalDest(ref)
	return true
}

// execute carries out relay actions; o.mu held. Actions may add more.
func (o *Onion) execute(acts []onion.Action) {
	for i := 0; i < len(acts); i++ {
		a := &acts[i]
		switch a.Kind {
		case onion.ActSend:
			if l := o.links[a.Link]; l != nil {
				l.enqueue(&a.Cell)
			}
		case onion.ActExtend:
			go o.extend(a.Circ, a.Identity)
		case onion.ActBegin:
			acts = o.begin(a, acts)
		case onion.ActData:
			o.markCarried(a.Circ)
			acts = o.destData(a, acts)
		case onion.ActEnd:
			o.destEnd(a)
		case onion.ActClosed:
			if r := o.relayed[a.Circ]; r != nil {
				o.peerDone(r.prev)
				o.carriedClosed(r)
			}
			delete(o.relayed, a.Circ)
			o.destClosed(a.Circ)
			acts = o.hsClosed(a.Circ, acts) // relay_hs.go
		case onion.ActRelay:
			acts = o.relayHS(a, acts) // relay_hs.go
		}
	}
	o.acts = acts[:0]
}

// extend reaches the next hop of an EXTEND and attaches the circuit to it.
func (o *Onion) extend(circ onion.CircRef, identity []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), extendTimeout)
	defer cancel()
	o.mu.Lock()
	var prev peer.ID
	if r := o.relayed[circ]; r != nil {
		prev = r.prev
	}
	o.unlock()
	var l *link
	err := extendAllowed(prev, identity)
	if err == nil {
		l, err = o.linkByIdentity(ctx, circ, identity)
	}
	o.mu.Lock()
	defer o.unlock()
	o.attachExtend(circ, l, err)
}

// attachExtend completes an EXTEND with the link linkByIdentity returned
// (or its error); o.mu held. The link may have died between linkTo and
// taking the lock: its linkDown already ran, so attaching to it would send
// the CREATE nowhere and leave the client waiting for its build timeout.
func (o *Onion) attachExtend(circ onion.CircRef, l *link, err error) {
	if err == nil && o.links[l.id] != l {
		err = ErrHopUnreachable
	}
	var acts []onion.Action
	if err != nil {
		o.log.Debug("extend failed", "err", scrub(err))
		acts, err = o.relay.ExtendFailed(circ, onion.ReasonConnectFail, o.acts[:0])
	} else {
		acts, err = o.relay.Attach(circ, l.id, l.weDialed, o.acts[:0])
		if r := o.relayed[circ]; r != nil && err == nil {
			r.next = l.peer
			o.markCarried(circ)
		}
	}
	if err != nil {
		o.log.Debug("extend", "err", scrub(err))
	}
	o.execute(acts)
}

// extendAllowed refuses an EXTEND back to the hop it came from: A→B→A→B…
// loops would make each cell cross the same link many times, multiplying
// the bandwidth one client spends on the relays (and no honest path visits
// a relay twice). The refusal is the ordinary one: ErrHopUnreachable.
func extendAllowed(prev peer.ID, identity []byte) error {
	if prev != "" && string(identity) == string(prev) {
		return ErrHopUnreachable
	}
	return nil
}

// linkByIdentity finds or opens the link an EXTEND asks for. Only peers
// with a valid descriptor are reachable this way, and a refusal looks
// exactly like a failed dial: otherwise a client could ask a relay to
// extend to any peer ID and learn from the answer whether the relay holds a
// connection to it, e.g. whether it is some stealth node's guard. A peer
// the directory lacks is looked up (a client may know a relay before this
// node does), but at most once per circuit, for lookupTimeout, with at most
// maxLookups in flight: else each EXTEND to a made-up peer would buy a DHT
// query, an amplification any client could use.
func (o *Onion) linkByIdentity(ctx context.Context, circ onion.CircRef, identity []byte) (*link, error) {
	p, err := peer.IDFromBytes(identity)
	if err != nil {
		return nil, ErrHopUnreachable
	}
	if _, ok := o.ov.dir.Get(p); !ok {
		if !o.lookupAllowed(circ) {
			return nil, ErrHopUnreachable
		}
		lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		o.lookup(lctx, p)
		cancel()
		o.mu.Lock()
		o.lookups--
		o.unlock()
		if _, ok := o.ov.dir.Get(p); !ok {
			return nil, ErrHopUnreachable
		}
	}
	return o.linkTo(ctx, p)
}

// lookupAllowed spends circ's one descriptor lookup, if it has it and a
// lookup slot is free (then the caller must give the slot back).
func (o *Onion) lookupAllowed(circ onion.CircRef) bool {
	o.mu.Lock()
	defer o.unlock()
	r := o.relayed[circ]
	if o.lookup == nil || r == nil || r.lookedUp || o.lookups >= maxLookups {
		o.defence.ExtendUnknown++
		return false
	}
	r.lookedUp = true
	o.lookups++
	o.defence.ExtendLookups++
	return true
}

// expire destroys idle relayed circuits and idle client circuits.
func (o *Onion) expire(now time.Time) {
	o.mu.Lock()
	defer o.unlock()
	o.execute(o.relay.Expire(now, o.acts[:0]))
	o.closeRetired(now) // linkpair.go
	for _, c := range o.clients {
		if c.built && len(c.streams) == 0 && c.hs == nil && now.Sub(c.lastUsed) > o.cfg.ClientIdle { // hs: hs_circuit.go
			o.destroyCircuit(c, ErrCircuitBroken)
		}
	}
}
