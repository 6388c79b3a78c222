package onion

import (
	"errors"
	"testing"
	"time"
)

// TestRelayCreateCaps: the per-link and the global circuit caps count
// CREATEs still in their handshake (BeginCreate without FinishCreate), so a
// flood of CREATEs cannot overshoot either cap while handshakes are queued.
func TestRelayCreateCaps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		cfg     RelayConfig
		refs    []CircRef // begun in order; the last one is the one refused
		want    error
		counter func(RelayCounters) uint64
	}{
		{"per link", RelayConfig{MaxCircuitsPerLink: 2}, []CircRef{{1, 1}, {1, 2}, {1, 3}}, ErrTooManyCircuits,
			func(c RelayCounters) uint64 { return c.LinkCapRefused }},
		{"global", RelayConfig{MaxCircuits: 3}, []CircRef{{1, 1}, {2, 1}, {3, 1}, {4, 1}}, ErrCircuitCap,
			func(c RelayCounters) uint64 { return c.CircuitCapRefused }},
		{"pending id reused", RelayConfig{}, []CircRef{{1, 7}, {1, 7}}, ErrCircuitExists,
			func(RelayCounters) uint64 { return 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, _, _ := testRelay(t, 3, tc.cfg)
			last := len(tc.refs) - 1
			for _, ref := range tc.refs[:last] {
				if _, err := r.BeginCreate(ref, nil); err != nil {
					t.Fatalf("CREATE %v under the cap refused: %v", ref, err)
				}
			}
			_, err := r.BeginCreate(tc.refs[last], nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("CREATE over the cap: %v, want %v", err, tc.want)
			}
			if tc.counter(r.Counters()) != 1 {
				t.Fatalf("counters %+v: refusal not counted", r.Counters())
			}
			r.LinkClosed(1, nil)
			if _, err := r.BeginCreate(CircRef{1, 9}, nil); err != nil {
				t.Fatalf("pending CREATEs of a closed link still count: %v", err)
			}
		})
	}
}

// TestRelaySplitCreate: a handshake run outside the relay (Handshaker)
// admits the circuit through FinishCreate; one whose link closed meanwhile
// is dropped.
func TestRelaySplitCreate(t *testing.T) {
	t.Parallel()
	r, spec, rng := testRelay(t, 4, RelayConfig{})
	_, create, _ := NewClientCircuit(rng, 5, spec)
	ref := CircRef{1, 5}
	if _, err := r.BeginCreate(ref, nil); err != nil {
		t.Fatal(err)
	}
	reply, keys, err := r.Handshaker().Respond(create.Body())
	out, err := r.FinishCreate(time.Time{}, ref, reply, keys, err, nil)
	if err != nil || len(out) != 1 || out[0].Cell.Cmd() != CmdCreated || r.Circuits() != 1 {
		t.Fatalf("split CREATE: err %v, %d actions, %d circuits", err, len(out), r.Circuits())
	}
	if _, err := r.BeginCreate(CircRef{2, 5}, nil); err != nil {
		t.Fatal(err)
	}
	r.LinkClosed(2, nil)
	if _, err := r.FinishCreate(time.Time{}, CircRef{2, 5}, reply, keys, nil, nil); !errors.Is(err, ErrUnknownCircuit) || r.Circuits() != 1 {
		t.Fatalf("CREATE of a closed link admitted: %v", err)
	}
}

// TestRelayWindowAndUnwindowedCaps: attacker = a client that ignores flow
// control. DATA past a stream's window (the application not reading)
// closes the circuit at the destination and is counted; cells no window counts (DROP, BEGIN) close
// the circuit once past MaxUnwindowedCells.
func TestRelayWindowAndUnwindowedCaps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		n       int
		msg     func(id uint16) RelayMsg
		want    error
		counter func(RelayCounters) uint64
	}{
		{"DATA past the stream window", StreamWindowStart + 1,
			func(id uint16) RelayMsg { return RelayMsg{Cmd: RelayData, StreamID: id, Data: []byte("x")} },
			ErrWindowViolated, func(c RelayCounters) uint64 { return c.WindowViolations }},
		{"DROP flood", MaxUnwindowedCells + 1,
			func(uint16) RelayMsg { return RelayMsg{Cmd: RelayDrop} },
			ErrUnwindowedCap, func(c RelayCounters) uint64 { return c.UnwindowedClosed }},
		{"BEGIN flood", MaxUnwindowedCells + 1,
			func(id uint16) RelayMsg { return RelayMsg{Cmd: RelayBegin, StreamID: id, Data: []byte("svc\x00")} },
			ErrUnwindowedCap, func(c RelayCounters) uint64 { return c.UnwindowedClosed }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t, 2, byte(40+i))
			s.build(2)
			id := s.begin("svc")
			s.drain()
			s.destHold = true // the application reads nothing: the stream window must hold
			for i := range tc.n {
				m := tc.msg(id)
				if m.Cmd == RelayBegin {
					m.StreamID = uint16(1000 + i)
				}
				s.cells = s.client.send(1, m, s.cells)
			}
			s.clientSend()
			s.drain()
			dest := s.relays[1]
			if len(s.relayErrs) == 0 || !errors.Is(s.relayErrs[0], tc.want) {
				t.Fatalf("relay errors %v, want %v", s.relayErrs, tc.want)
			}
			if tc.counter(dest.Counters()) != 1 || dest.Circuits() != 0 {
				t.Fatalf("counters %+v, %d circuits left", dest.Counters(), dest.Circuits())
			}
		})
	}
}

// TestJoinedCircuitCarriesHSData: a relay caps the hidden-service cells a
// circuit that ends here may send it (MaxUnwindowedCells: no window counts
// them), but once a rendezvous point joined the circuit to another
// (JoinData) they are end-to-end data it forwards one for one: four times
// the cap pass and the circuit stays open. Before, the cap tore every
// joined rendezvous circuit down after about 470 KB.
func TestJoinedCircuitCarriesHSData(t *testing.T) {
	t.Parallel()
	for i, joined := range []bool{false, true} {
		s := newSim(t, 2, byte(60+i))
		s.build(2)
		dest := s.relays[1]
		hs := RelayMsg{Cmd: RelayHSFirst, Data: []byte("e2e")}
		s.cells = s.client.send(1, hs, s.cells)
		s.clientSend()
		s.drain()
		if s.hsRelayed != 1 {
			t.Fatalf("joined=%v: first HS cell: %d relayed, errors %v", joined, s.hsRelayed, s.relayErrs)
		}
		if joined && !dest.JoinData(s.hsCirc) {
			t.Fatal("JoinData does not know the circuit")
		}
		n := 4 * MaxUnwindowedCells
		for range n {
			if len(s.relayErrs) > 0 || s.client.Hops() < 2 {
				break // closed: the cap held
			}
			s.cells = s.client.send(1, hs, s.cells)
			s.clientSend()
			s.drain()
		}
		switch {
		case joined && (s.hsRelayed != n+1 || len(s.relayErrs) != 0 || dest.Circuits() != 1):
			t.Fatalf("joined: %d of %d relayed, errors %v, %d circuits", s.hsRelayed, n+1, s.relayErrs, dest.Circuits())
		case !joined && (len(s.relayErrs) == 0 || !errors.Is(s.relayErrs[0], ErrUnwindowedCap) || dest.Circuits() != 0):
			t.Fatalf("not joined: errors %v, %d circuits; want the cap to close it", s.relayErrs, dest.Circuits())
		}
	}
	if (&Relay{circs: map[CircRef]*relayCirc{}}).JoinData(CircRef{CircID: 7}) {
		t.Fatal("JoinData accepted an unknown circuit")
	}
}
