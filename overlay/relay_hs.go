package overlay

// The relay side of hidden services: every relay can be an introduction
// point and a rendezvous point. onion.Relay hands hidden-service cells
// addressed to this hop up as ActRelay; relayHS dispatches them to
// onion/hs's tables. At a rendezvous point, RENDEZVOUS1 joins the service's
// circuit to the client's, and from then on E2E cells arriving on one are
// sent back down the other unchanged: this relay adds nothing and holds no
// key of the end-to-end layer. A cell a circuit's role does not allow
// closes that circuit (silence would be a covert channel).

import (
	"cyclecash/onion"
	"cyclecash/onion/hs"
)

// hsRelay is the relay's hidden-service state; guarded by Onion.mu.
type hsRelay struct {
	intro  *hs.IntroTable[onion.CircRef]
	rend   *hs.RendezvousTable[onion.CircRef]
	joined map[onion.CircRef]onion.CircRef
	// tap, when set by a test, sees every hidden-service message this relay
	// handles, as it handles it.
	tap func(cmd hs.Command, data []byte)
}

func newHSRelay() *hsRelay {
	return &hsRelay{intro: hs.NewIntroTable[onion.CircRef](hs.IntroLimits{}),
		rend: hs.NewRendezvousTable[onion.CircRef](0, 0), joined: map[onion.CircRef]onion.CircRef{}}
}

// hsState returns the relay's hidden-service state; o.mu held.
func (o *Onion) hsState() *hsRelay {
	if o.hsRelay == nil {
		o.hsRelay = newHSRelay()
	}
	return o.hsRelay
}

// introBind is what ESTABLISH_INTRO is signed over besides its own fields:
// this relay's identity, so a signed request cannot be replayed to
// establish the same key at another relay.
func (o *Onion) introBind() []byte { return []byte(o.ov.ID()) }

// relayHS handles a hidden-service cell that ended here; o.mu held.
func (o *Onion) relayHS(a *onion.Action, acts []onion.Action) []onion.Action {
	t := o.hsState()
	cmd, circ := hs.Command(a.Cmd), a.Circ
	if t.tap != nil {
		t.tap(cmd, a.Data)
	}
	t.rend.Expire(o.now)
	switch cmd {
	case hs.CmdEstablishIntro:
		if err := t.intro.Establish(a.Data, o.introBind(), circ, o.now); err != nil {
			o.log.Debug("establish intro refused", "err", err)
			return o.closeHS(circ, onion.ReasonProtocol, acts)
		}
		return o.hsSend(circ, hs.CmdIntroEstablished, nil, acts)
	case hs.CmdIntroduce1:
		svc, status := t.intro.Introduce1(a.Data, o.now)
		if status == hs.AckOK {
			acts = o.hsSend(svc, hs.CmdIntroduce2, a.Data, acts)
		}
		return o.hsSend(circ, hs.CmdIntroduceAck, hs.IntroduceAck(status), acts)
	case hs.CmdEstablishRendezvous:
		if err := t.rend.Establish(a.Data, circ, o.now); err != nil {
			o.log.Debug("establish rendezvous refused", "err", err)
			return o.closeHS(circ, onion.ReasonProtocol, acts)
		}
		return o.hsSend(circ, hs.CmdRendezvousEstablished, nil, acts)
	case hs.CmdRendezvous1:
		return o.rendezvous1(t, circ, a.Data, acts)
	case hs.CmdE2E:
		if other, ok := t.joined[circ]; ok {
			return o.hsSend(other, hs.CmdE2E, a.Data, acts)
		}
	}
	o.log.Debug("unexpected hidden-service cell", "cmd", uint8(cmd))
	return o.closeHS(circ, onion.ReasonProtocol, acts)
}

// rendezvous1 joins the service's circuit svc to the client circuit whose
// cookie RENDEZVOUS1 names; o.mu held.
func (o *Onion) rendezvous1(t *hsRelay, svc onion.CircRef, msg []byte, acts []onion.Action) []onion.Action {
	cli, msg2, err := t.rend.Rendezvous1(msg, o.now)
	if err != nil {
		o.log.Debug("rendezvous refused", "err", err)
		return o.closeHS(svc, onion.ReasonProtocol, acts)
	}
	t.joined[cli], t.joined[svc] = svc, cli
	o.relay.JoinData(cli) // their E2E cells are data now, not capped unwindowed cells
	o.relay.JoinData(svc)
	return o.hsSend(cli, hs.CmdRendezvous2, msg2, acts)
}

// hsSend originates a hidden-service cell from this hop back down circ;
// o.mu held.
func (o *Onion) hsSend(circ onion.CircRef, cmd hs.Command, data []byte, acts []onion.Action) []onion.Action {
	more, err := o.relay.SendRelay(circ, onion.RelayMsg{Cmd: onion.RelayCommand(cmd), Data: data}, nil)
	if err != nil {
		o.log.Debug("hidden-service send", "err", err)
		return acts
	}
	return append(acts, more...)
}

// hsClosed forgets a closed circuit in the tables and takes its joined
// partner down with it; o.mu held.
func (o *Onion) hsClosed(circ onion.CircRef, acts []onion.Action) []onion.Action {
	t := o.hsRelay
	if t == nil {
		return acts
	}
	t.intro.Remove(circ)
	t.rend.Remove(circ)
	other, ok := t.joined[circ]
	if !ok {
		return acts
	}
	delete(t.joined, circ)
	delete(t.joined, other)
	return o.closeHS(other, onion.ReasonNone, acts)
}

// SetHSTapForTest makes f see every hidden-service message this relay
// handles (introduction or rendezvous point), for tests asserting what a
// relay learns. f runs under the onion lock: it must not call back.
func (o *Onion) SetHSTapForTest(f func(cmd uint8, data []byte)) {
	o.mu.Lock()
	defer o.unlock()
	o.hsState().tap = func(cmd hs.Command, data []byte) { f(uint8(cmd), data) }
}

// closeHS closes a circuit a hidden-service rule refused (or the partner
// of a joined one), towards both neighbours; a circuit already gone adds
// nothing.
func (o *Onion) closeHS(ref onion.CircRef, reason onion.DestroyReason, acts []onion.Action) []onion.Action {
	acts, _ = o.relay.CloseCircuit(ref, reason, acts)
	return acts
}
