package onion

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func testRelay(t testing.TB, seed byte, cfg RelayConfig) (*Relay, HopSpec, *rand.ChaCha8) {
	t.Helper()
	rng := rand.NewChaCha8([32]byte{seed})
	key, err := GenerateOnionKey(rng)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Identity, cfg.OnionKeys, cfg.Rand = []byte("relay"), []*OnionKey{key}, rng
	r, err := NewRelay(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, HopSpec{Identity: cfg.Identity, OnionKey: key.Public}, rng
}

// TestRelayRefusals feeds bad cells to a relay with one open circuit: each
// is refused with its sentinel error, without panicking or leaking state.
func TestRelayRefusals(t *testing.T) {
	t.Parallel()
	cell := func(circID uint32, cmd Command, body byte) *Cell {
		c := new(Cell)
		c.SetHeader(circID, cmd)
		c.Body()[0] = body
		return c
	}
	cases := []struct {
		name  string
		cell  func(create *Cell) *Cell
		want  error
		circs int
	}{
		{"unknown circuit relay", func(*Cell) *Cell { return cell(99, CmdRelay, 0) }, ErrUnknownCircuit, 1},
		{"unknown circuit destroy", func(*Cell) *Cell { return cell(99, CmdDestroy, 0) }, ErrUnknownCircuit, 1},
		{"unknown circuit created", func(*Cell) *Cell { return cell(99, CmdCreated, 0) }, ErrUnknownCircuit, 1},
		{"bad command", func(*Cell) *Cell { return cell(1, Command(numCommands), 0) }, ErrBadCommand, 0},
		{"bad command 255", func(*Cell) *Cell { return cell(1, 255, 0) }, ErrUnexpectedCell, 0},
		{"bad command, no circuit", func(*Cell) *Cell { return cell(9, 255, 0) }, ErrBadCommand, 1},
		{"create on open id", func(c *Cell) *Cell { return c }, ErrCircuitExists, 1},
		{"create id zero", func(c *Cell) *Cell { d := *c; d.SetHeader(0, CmdCreate); return &d }, ErrCircuitExists, 1},
		{"replayed create", func(c *Cell) *Cell { d := *c; d.SetHeader(2, CmdCreate); return &d }, ErrReplay, 1},
		{"unknown onion key", func(c *Cell) *Cell { d := *c; d.SetHeader(3, CmdCreate); d.Body()[createKeyIDOff] ^= 1; return &d }, ErrUnknownKey, 1},
		{"cells v1 create", func(c *Cell) *Cell { d := *c; d.SetHeader(5, CmdCreate); d.Body()[createVersionOff] = 1; return &d }, ErrVersion, 1},
		{"garbage handshake", func(c *Cell) *Cell { d := *c; d.SetHeader(4, CmdCreate); d.Body()[20] ^= 1; return &d }, ErrHandshake, 1},
		{"created from client side", func(*Cell) *Cell { return cell(1, CmdCreated, 0) }, ErrUnexpectedCell, 0},
		{"garbage relay cell at last hop", func(*Cell) *Cell { return cell(1, CmdRelay, 7) }, ErrTagMismatch, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, spec, rng := testRelay(t, 1, RelayConfig{})
			_, create, err := NewClientCircuit(rng, 1, spec)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.HandleCell(time.Time{}, 1, create, nil); err != nil {
				t.Fatal(err)
			}
			_, err = r.HandleCell(time.Time{}, 1, tc.cell(create), nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if r.Circuits() != tc.circs || len(r.circs) != tc.circs {
				t.Fatalf("%d circuits left (%d map entries), want %d", r.Circuits(), len(r.circs), tc.circs)
			}
		})
	}
}

func TestParseCellLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, CellSize - 1, CellSize + 1, 2 * CellSize} {
		var c Cell
		if err := ParseCell(&c, make([]byte, n)); !errors.Is(err, ErrCellLength) {
			t.Errorf("%d bytes: %v, want ErrCellLength", n, err)
		}
	}
}

// TestCircuitsPerLink checks the per-neighbour quota.
func TestCircuitsPerLink(t *testing.T) {
	t.Parallel()
	r, spec, rng := testRelay(t, 2, RelayConfig{MaxCircuitsPerLink: 3})
	for i := range 4 {
		_, create, err := NewClientCircuit(rng, uint32(i+1), spec)
		if err != nil {
			t.Fatal(err)
		}
		acts, err := r.HandleCell(time.Time{}, 5, create, nil)
		if i < 3 && err != nil {
			t.Fatalf("circuit %d: %v", i, err)
		}
		if i == 3 && (!errors.Is(err, ErrTooManyCircuits) || acts[0].Cell.Cmd() != CmdDestroy) {
			t.Fatalf("4th circuit: %v, want ErrTooManyCircuits and a DESTROY", err)
		}
	}
	if _, create, _ := NewClientCircuit(rng, 1, spec); create != nil {
		if _, err := r.HandleCell(time.Time{}, 6, create, nil); err != nil {
			t.Fatalf("other link refused: %v", err)
		}
	}
}

// TestExpireAndLinkClosed checks idle expiry and link loss clean up.
func TestExpireAndLinkClosed(t *testing.T) {
	t.Parallel()
	s := newSim(t, 3, 20)
	s.build(3)
	mid := s.relays[1]
	acts := mid.LinkClosed(s.link(1, 2), nil)
	s.execute(1, acts)
	s.drain()
	if s.client.Hops() != 2 || s.relays[2].Circuits() != 1 {
		t.Fatalf("after losing link 1-2: client has %d hops, relay 2 has %d circuits", s.client.Hops(), s.relays[2].Circuits())
	}
	late := s.now.Add(DefaultIdleTimeout + time.Second)
	for i, r := range s.relays {
		s.execute(i, r.Expire(late, nil))
	}
	s.drain()
	for i, r := range s.relays {
		if r.Circuits() != 0 || len(r.circs) != 0 {
			t.Fatalf("relay %d keeps %d circuits after expiry", i, r.Circuits())
		}
	}
	if s.client.Err() == nil {
		t.Fatal("client circuit survived expiry")
	}
}

// TestTruncateAndDestroy checks TRUNCATE at the first hop and DESTROY from
// the client.
func TestTruncateAndDestroy(t *testing.T) {
	t.Parallel()
	s := newSim(t, 3, 21)
	s.build(3)
	cells, err := s.client.Truncate(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.cells = cells
	s.clientSend()
	s.drain()
	if s.client.Hops() != 1 || s.relays[1].Circuits() != 0 || s.relays[2].Circuits() != 0 {
		t.Fatalf("after truncate: %d hops, relays hold %d, %d", s.client.Hops(), s.relays[1].Circuits(), s.relays[2].Circuits())
	}
	s.cells = s.client.Destroy(nil)
	s.clientSend()
	s.drain()
	if s.relays[0].Circuits() != 0 {
		t.Fatal("first hop kept the circuit after DESTROY")
	}
}

// TestNinthHopRefused: the client API refuses, and so do relays when a
// client forges the cells.
func TestNinthHopRefused(t *testing.T) {
	t.Parallel()
	s := newSim(t, MaxHops+1, 22)
	s.build(MaxHops)
	if _, err := s.client.Extend(s.specs[MaxHops], nil); !errors.Is(err, ErrTooManyHops) {
		t.Fatalf("client Extend: %v, want ErrTooManyHops", err)
	}
	for _, early := range []int{0, EarlyCells} { // forged RELAY_EARLY; plain RELAY
		s := newSim(t, MaxHops+1, 23)
		s.build(MaxHops)
		_, payload, _ := StartHandshake(s.rand, s.specs[MaxHops].Identity, s.specs[MaxHops].OnionKey)
		s.client.early = early
		s.cells = s.client.send(MaxHops-1, RelayMsg{Cmd: RelayExtend, Data: appendExtend(nil, payload, s.specs[MaxHops].Identity)}, nil)
		s.clientSend()
		s.drain()
		if len(s.relayErrs) == 0 || !errors.Is(s.relayErrs[0], ErrTooManyHops) {
			t.Fatalf("early=%d: relay errors %v, want ErrTooManyHops", early, s.relayErrs)
		}
		if s.relays[MaxHops].Circuits() != 0 || (s.client.Err() == nil && s.client.Hops() == MaxHops) {
			t.Fatalf("early=%d: 9th hop holds %d circuits, client has %d hops, error %v",
				early, s.relays[MaxHops].Circuits(), s.client.Hops(), s.client.Err())
		}
	}
}

// TestSendmeForgery: SENDMEs with a wrong tag or nothing outstanding close
// the circuit, in both directions.
func TestSendmeForgery(t *testing.T) {
	t.Parallel()
	t.Run("to client", func(t *testing.T) {
		s := newSim(t, 2, 24)
		s.build(2)
		id := s.begin("svc")
		s.execute(1, must(s.relays[1].SendRelay(s.destCirc, RelayMsg{Cmd: RelaySendme, StreamID: id, Data: make([]byte, TagSize)}, nil)))
		s.drain()
		if !errors.Is(s.clientErr, ErrSendmeForged) {
			t.Fatalf("client error %v, want ErrSendmeForged", s.clientErr)
		}
	})
	t.Run("to destination", func(t *testing.T) {
		s := newSim(t, 2, 25)
		s.build(2)
		id := s.begin("svc")
		s.destOut[id] = randomBytes(s.rand, 150*MaxRelayData)
		s.drain() // destination sent 150 cells: one circuit SENDME outstanding, consumed
		s.cells = must(s.client.SendRelay(2, RelayMsg{Cmd: RelaySendme, Data: make([]byte, TagSize)}, nil))
		s.clientSend()
		s.drain()
		if len(s.relayErrs) == 0 || !errors.Is(s.relayErrs[0], ErrSendmeForged) {
			t.Fatalf("relay errors %v, want ErrSendmeForged", s.relayErrs)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
