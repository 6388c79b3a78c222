package onion

import (
	"errors"
	"testing"
)

// TestEarlyAfterPlainRefused: RELAY_EARLY must form a prefix of a
// circuit's forward relay cells. A guard that downgrades some early cells
// to RELAY to signal a colluding later hop (the forward form of the 2014
// RELAY_EARLY attack on Tor) gets the circuit closed at the next relay.
func TestEarlyAfterPlainRefused(t *testing.T) {
	t.Parallel()
	s := newSim(t, 4, 11)
	s.build(4)
	id := s.begin("svc")
	downgraded := false
	s.tamper = func(d *delivery) {
		if d.to == 1 && !downgraded && d.cell.Cmd() == CmdRelayEarly {
			d.cell.SetHeader(d.cell.CircID(), CmdRelay)
			downgraded = true
		}
	}
	s.clientOut[id] = randomBytes(s.rand, 20*MaxRelayData)
	s.drain()
	if !downgraded {
		t.Fatal("no RELAY_EARLY cell reached the second relay after the build")
	}
	if len(s.relayErrs) == 0 || !errors.Is(s.relayErrs[0], ErrProtocol) {
		t.Fatalf("relay errors %v, want ErrProtocol at the second relay", s.relayErrs)
	}
	for i := 1; i < len(s.relays); i++ {
		if n := s.relays[i].Circuits(); n != 0 {
			t.Fatalf("relay %d still holds %d circuits", i, n)
		}
	}
}
