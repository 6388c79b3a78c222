package onion

import (
	"testing"
	"time"
)

// TestRelayCellNoAlloc: a middle relay forwards a cell, and adds its layer
// to a cell coming back, without allocating: the per-cell path reuses the
// layer's scratch space and the caller's action slice, so a busy relay
// makes no garbage per cell.
func TestRelayCellNoAlloc(t *testing.T) {
	s := newSim(t, 2, 11)
	s.build(2)
	r := s.relays[0]
	c := r.circs[CircRef{s.link(-1, 0), s.client.CircID()}]
	acts := make([]Action, 0, 4)
	var fwd, bwd Cell
	fwd.SetHeader(s.client.CircID(), CmdRelay)
	bwd.SetHeader(c.next.CircID, CmdRelay)
	for _, tc := range []struct {
		name string
		from LinkID
		cell *Cell
	}{{"forward", s.link(-1, 0), &fwd}, {"backward", s.link(0, 1), &bwd}} {
		var err error
		allocs := testing.AllocsPerRun(100, func() {
			acts, err = r.HandleCell(time.Time{}, tc.from, tc.cell, acts[:0])
		})
		if err != nil || len(acts) != 1 || acts[0].Kind != ActSend {
			t.Fatalf("%s: %v, actions %+v", tc.name, err, len(acts))
		}
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per cell", tc.name, allocs)
		}
	}
}
