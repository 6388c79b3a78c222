package overlay

import (
	"bytes"
	"crypto/rand"
	"testing"

	"cyclecash/onion"
	"cyclecash/onion/hs"
)

// hsHarness is a relay with one-hop client circuits on fake links, to play
// the parties at an introduction or rendezvous point.
type hsHarness struct {
	t   *testing.T
	o   *Onion
	key *onion.OnionKey
}

type hsParty struct {
	l  *link
	cc *onion.ClientCircuit
}

func newHSHarness(t *testing.T) *hsHarness {
	key, _ := onion.GenerateOnionKey(rand.Reader)
	return &hsHarness{t: t, o: newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}}), key: key}
}

func (h *hsHarness) take(l *link) []onion.Cell {
	h.o.creating.Wait() // CREATEs are answered by the handshake workers
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.q
	l.q = nil
	return q
}

// party opens a one-hop circuit to the relay on a new link.
func (h *hsHarness) party(id onion.LinkID) *hsParty {
	l := fakeLink(h.o, id, "party")
	cc, create, err := onion.NewClientCircuit(rand.Reader, 7, onion.HopSpec{Identity: []byte(h.o.ov.ID()), OnionKey: h.key.Public})
	if err != nil {
		h.t.Fatal(err)
	}
	cc.AllowHiddenService()
	h.o.handleCells(l, []onion.Cell{*create})
	p := &hsParty{l: l, cc: cc}
	if evs := h.recv(p); len(evs) != 1 || evs[0].Kind != onion.EventHopAdded {
		h.t.Fatalf("circuit not built: %+v", evs)
	}
	return p
}

func (h *hsHarness) send(p *hsParty, cmd hs.Command, data []byte) {
	cells, err := p.cc.SendRelay(1, onion.RelayMsg{Cmd: onion.RelayCommand(cmd), Data: data}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.o.handleCells(p.l, cells)
}

// recv feeds what the relay queued for p to p's circuit; a DESTROY shows
// as EventDestroyed.
func (h *hsHarness) recv(p *hsParty) []onion.Event {
	var out []onion.Event
	for _, c := range h.take(p.l) {
		ev, _, err := p.cc.HandleCell(&c, nil)
		if err != nil {
			h.t.Fatalf("client cell: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

func relayEvent(evs []onion.Event, cmd hs.Command) ([]byte, bool) {
	for _, ev := range evs {
		if ev.Kind == onion.EventRelay && ev.Cmd == onion.RelayCommand(cmd) {
			return ev.Data, true
		}
	}
	return nil, false
}

func destroyed(evs []onion.Event) bool {
	for _, ev := range evs {
		if ev.Kind == onion.EventDestroyed {
			return true
		}
	}
	return false
}

// TestRendezvousJoin: after RENDEZVOUS1 the point sends each joined
// circuit's E2E cells down the other unchanged; a second RENDEZVOUS1 for a
// used cookie is refused; closing one side closes the other.
func TestRendezvousJoin(t *testing.T) {
	h := newHSHarness(t)
	client, svc, thief := h.party(1), h.party(2), h.party(3)
	var cookie hs.Cookie
	cookie[0] = 7
	h.send(client, hs.CmdEstablishRendezvous, hs.EstablishRendezvous(cookie))
	if _, ok := relayEvent(h.recv(client), hs.CmdRendezvousEstablished); !ok {
		t.Fatal("no RENDEZVOUS_ESTABLISHED")
	}
	msg2 := bytes.Repeat([]byte{0xaa}, hs.Rendezvous2Size)
	h.send(svc, hs.CmdRendezvous1, append(cookie[:], msg2...))
	if got, ok := relayEvent(h.recv(client), hs.CmdRendezvous2); !ok || !bytes.Equal(got, msg2) {
		t.Fatalf("RENDEZVOUS2 %x", got)
	}
	h.send(thief, hs.CmdRendezvous1, append(cookie[:], msg2...))
	if !destroyed(h.recv(thief)) {
		t.Fatal("a second RENDEZVOUS1 for a joined cookie was not refused")
	}
	cell := make([]byte, hs.MaxMessage)
	rand.Read(cell)
	h.send(client, hs.CmdE2E, cell)
	if got, ok := relayEvent(h.recv(svc), hs.CmdE2E); !ok || !bytes.Equal(got, cell) {
		t.Fatal("E2E cell not forwarded unchanged to the service")
	}
	h.send(svc, hs.CmdE2E, cell)
	if got, ok := relayEvent(h.recv(client), hs.CmdE2E); !ok || !bytes.Equal(got, cell) {
		t.Fatal("E2E cell not forwarded unchanged to the client")
	}
	h.o.handleCells(svc.l, svc.cc.Destroy(nil))
	if !destroyed(h.recv(client)) {
		t.Fatal("the client's half outlived the service's")
	}
}

// TestHSCellsOutOfRole: an E2E cell on a circuit that is not joined, and an
// INTRODUCE2 sent to a relay (only relays send it), close the circuit.
func TestHSCellsOutOfRole(t *testing.T) {
	h := newHSHarness(t)
	for i, cmd := range []hs.Command{hs.CmdE2E, hs.CmdIntroduce2, hs.CmdRendezvous2} {
		p := h.party(onion.LinkID(10 + i))
		h.send(p, cmd, make([]byte, hs.MaxMessage))
		if !destroyed(h.recv(p)) {
			t.Errorf("command %d out of role: circuit kept", cmd)
		}
	}
}

// TestIntroPointForwards: an ESTABLISH_INTRO signed for this relay makes
// it forward INTRODUCE1 as INTRODUCE2 and ack the client; one signed for
// another relay is refused.
func TestIntroPointForwards(t *testing.T) {
	h := newHSHarness(t)
	svc, client, other := h.party(1), h.party(2), h.party(3)
	keys, _ := hs.NewIntroKeys(rand.Reader)
	h.send(other, hs.CmdEstablishIntro, hs.NewEstablishIntro(keys, []byte("another relay"), 0, 0))
	if !destroyed(h.recv(other)) {
		t.Fatal("ESTABLISH_INTRO bound to another relay accepted")
	}
	h.send(svc, hs.CmdEstablishIntro, hs.NewEstablishIntro(keys, h.o.introBind(), 0, 0))
	if _, ok := relayEvent(h.recv(svc), hs.CmdIntroEstablished); !ok {
		t.Fatal("no INTRO_ESTABLISHED")
	}
	auth := keys.AuthKey()
	intro1 := append(auth[:], bytes.Repeat([]byte{1}, hs.Introduce1Size-32)...)
	h.send(client, hs.CmdIntroduce1, intro1)
	if ack, ok := relayEvent(h.recv(client), hs.CmdIntroduceAck); !ok || !bytes.Equal(ack, hs.IntroduceAck(hs.AckOK)) {
		t.Fatalf("ack %x", ack)
	}
	if got, ok := relayEvent(h.recv(svc), hs.CmdIntroduce2); !ok || !bytes.Equal(got, intro1) {
		t.Fatal("INTRODUCE2 is not the INTRODUCE1 unchanged")
	}
}
