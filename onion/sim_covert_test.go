package onion

import (
	"errors"
	"testing"
)

// The covert channels between a colluding guard and exit, and the
// "dropmark" family, each as the attack a hostile hop would run.

// padded builds a 3-hop circuit (guard, middle, destination), ends its
// early prefix and checks PadEarly sent at least one padding cell, so the
// attacks below have an early suffix to work on.
func padded(t *testing.T, seed byte) *sim {
	s := newSim(t, 3, seed)
	s.build(3)
	s.cells = s.client.PadEarly(s.cells[:0])
	if len(s.cells) == 0 {
		t.Fatalf("seed %d: PadEarly sent nothing; pick another seed", seed)
	}
	s.clientSend()
	return s
}

// TestEarlySuffixDowngraded: the guard rewrites the early cells after the
// build (PadEarly's suffix) as RELAY. v1 checked only that early cells form
// a prefix, so the destination saw fewer early cells, chosen by the guard,
// on a live circuit. Now the command is in the layer tweak: the cells become
// noise and the destination closes the circuit.
func TestEarlySuffixDowngraded(t *testing.T) {
	t.Parallel()
	s := padded(t, 3)
	downgraded := 0
	s.tamper = func(d *delivery) {
		if d.to == 1 && d.cell.Cmd() == CmdRelayEarly {
			d.cell.SetHeader(d.cell.CircID(), CmdRelay)
			downgraded++
		}
	}
	s.drain()
	if downgraded == 0 {
		t.Fatal("no early cell reached the middle after the build")
	}
	assertClosedByDestination(t, s)
}

// TestFirstPlainUpgraded: the guard rewrites the first RELAY after the
// early prefix as RELAY_EARLY (within the cap, so v1 accepted it).
func TestFirstPlainUpgraded(t *testing.T) {
	t.Parallel()
	s := padded(t, 3)
	s.drain()
	upgraded := false
	s.tamper = func(d *delivery) {
		if d.to == 1 && d.cell.Cmd() == CmdRelay && !upgraded {
			d.cell.SetHeader(d.cell.CircID(), CmdRelayEarly)
			upgraded = true
		}
	}
	_, cells, err := s.client.Begin("svc", s.cells[:0])
	if err != nil {
		t.Fatal(err)
	}
	s.cells = cells
	s.clientSend()
	s.drain()
	if !upgraded {
		t.Fatal("no plain cell reached the middle")
	}
	assertClosedByDestination(t, s)
}

func assertClosedByDestination(t *testing.T, s *sim) {
	t.Helper()
	if s.relays[2].Circuits() != 0 {
		t.Fatalf("destination kept the circuit (relay errors %v)", s.relayErrs)
	}
	found := false
	for _, err := range s.relayErrs {
		found = found || errors.Is(err, ErrTagMismatch)
	}
	if !found {
		t.Fatalf("relay errors %v, want ErrTagMismatch at the destination", s.relayErrs)
	}
	if s.client.Err() == nil {
		t.Fatal("client circuit still open")
	}
}

// TestEarlyCountsHidePosition: over many circuits the number of early cells
// a guard sees and the number an exit sees take the same values. In v1 the
// guard always saw EarlyCells and the exit EarlyCells-2: its position.
func TestEarlyCountsHidePosition(t *testing.T) {
	t.Parallel()
	guard, exit := map[int]bool{}, map[int]bool{}
	for seed := byte(1); seed <= 40; seed++ {
		s := newSim(t, 3, seed)
		s.build(3)
		s.cells = s.client.PadEarly(s.cells[:0])
		s.clientSend()
		s.drain()
		guard[s.circAt(0).early], exit[s.circAt(2).early] = true, true
	}
	common := 0
	for n := range guard {
		if exit[n] {
			common++
		}
	}
	if common < 3 {
		t.Fatalf("early counts seen by guards %v and exits %v share %d values, want ≥ 3", guard, exit, common)
	}
}

// TestEarlyCountHidesPathLength: what the guard counts is drawn from the
// same range for 1- to 4-hop paths (v1 kept it fixed for the same reason).
func TestEarlyCountHidesPathLength(t *testing.T) {
	t.Parallel()
	for hops := 1; hops <= 4; hops++ {
		seen := map[int]bool{}
		for seed := byte(1); seed <= 30; seed++ {
			s := newSim(t, hops, seed)
			s.build(hops)
			s.cells = s.client.PadEarly(s.cells[:0])
			s.clientSend()
			s.drain()
			seen[s.circAt(0).early] = true
		}
		for n := range seen {
			if n < padEarlyFloor || n > EarlyCells {
				t.Fatalf("%d hops: the guard saw %d early cells, outside [%d, %d]", hops, n, padEarlyFloor, EarlyCells)
			}
		}
		if len(seen) < 4 {
			t.Fatalf("%d hops: the guard saw only %v", hops, seen)
		}
	}
}

// TestDestroyReasonNormalized: a guard that puts 0xAB in the DESTROY it
// forwards does not reach the exit with it: the middle forwards ReasonNone.
func TestDestroyReasonNormalized(t *testing.T) {
	t.Parallel()
	s := newSim(t, 3, 4)
	s.build(3)
	var atExit []byte
	s.tamper = func(d *delivery) {
		if d.cell.Cmd() != CmdDestroy {
			return
		}
		switch d.to {
		case 1:
			d.cell.Body()[0] = 0xAB
		case 2:
			atExit = append(atExit, d.cell.Body()[0])
		}
	}
	s.cells = s.client.Destroy(s.cells[:0])
	s.clientSend()
	s.drain()
	if len(atExit) != 1 || DestroyReason(atExit[0]) != ReasonNone {
		t.Fatalf("exit got DESTROY reasons %x, want one %d", atExit, ReasonNone)
	}
	for i, r := range s.relays {
		if r.Circuits() != 0 {
			t.Fatalf("relay %d kept the circuit", i)
		}
	}
}

// TestClientRefusesInjectedCells: 2,000 cells a hostile hop injects towards
// the client, as a timing signal to a colluding watcher of the client's
// link: DROP (no padding was negotiated), hidden-service cells on a circuit
// that is not one, and backward RELAY_EARLY. v1 swallowed all of them and
// kept the circuit; now the first one closes it, counted as
// ErrUnexpectedCell, and the rest are refused.
func TestClientRefusesInjectedCells(t *testing.T) {
	t.Parallel()
	inject := map[string]func(s *sim){
		"drop from the exit": func(s *sim) { s.fromExit(RelayMsg{Cmd: RelayDrop}) },
		"drop from the guard": func(s *sim) {
			if c := s.circAt(0); c != nil {
				acts, _ := s.relays[0].SendRelay(c.prev, RelayMsg{Cmd: RelayDrop}, s.acts[:0])
				s.execute(0, acts)
			}
		},
		"hidden-service cell": func(s *sim) { s.fromExit(RelayMsg{Cmd: RelayHSFirst, Data: []byte("x")}) },
		"inbound RELAY_EARLY": func(s *sim) {
			s.tamper = func(d *delivery) {
				if d.to == -1 {
					d.cell.SetHeader(d.cell.CircID(), CmdRelayEarly)
				}
			}
			s.fromExit(RelayMsg{Cmd: RelayData, StreamID: 1, Data: []byte("x")})
		},
	}
	for name, f := range inject {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, 3, 5)
			s.build(3)
			for range 2000 {
				f(s)
				s.drain()
			}
			if !errors.Is(s.client.Err(), ErrUnexpectedCell) {
				t.Fatalf("client error %v, want ErrUnexpectedCell", s.client.Err())
			}
			if s.afterClose != 0 {
				t.Fatalf("%d cells yielded something after the circuit closed", s.afterClose)
			}
			if s.relays[0].Circuits() != 0 {
				t.Fatal("the guard kept the circuit after the client's DESTROY")
			}
		})
	}
}

// TestRelayRefusesBackwardEarly: a relay never forwards RELAY_EARLY towards
// the client; one arriving from the next hop closes the circuit, counted.
func TestRelayRefusesBackwardEarly(t *testing.T) {
	t.Parallel()
	s := newSim(t, 3, 6)
	s.build(3)
	s.tamper = func(d *delivery) {
		if d.to == 1 && d.link == s.link(1, 2) {
			d.cell.SetHeader(d.cell.CircID(), CmdRelayEarly)
		}
	}
	s.fromExit(RelayMsg{Cmd: RelayDrop})
	s.drain()
	if s.relays[1].UnexpectedCells() != 1 || s.relays[1].Circuits() != 0 {
		t.Fatalf("middle counted %d unexpected cells and holds %d circuits", s.relays[1].UnexpectedCells(), s.relays[1].Circuits())
	}
	if s.client.Err() == nil && s.client.Hops() != 1 {
		t.Fatalf("client still holds %d hops", s.client.Hops())
	}
}

// fromExit makes the last relay originate m towards the client.
func (s *sim) fromExit(m RelayMsg) {
	last := len(s.relays) - 1
	c := s.circAt(last)
	if c == nil {
		return // the circuit is gone: nothing left to inject through
	}
	acts, err := s.relays[last].SendRelay(c.prev, m, s.acts[:0])
	if err != nil {
		return // the circuit is gone: nothing left to inject through
	}
	s.execute(last, acts)
}
