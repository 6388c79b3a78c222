package overlay

import (
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Path bias (after Tor's path-spec §7): a guard that makes circuits fail,
// whether it is broken or only lets through circuits whose exit it likes,
// shows a build success rate far below its peers'. After enough circuits
// such a guard is set aside for good and the caller tells the user.
const (
	pathBiasMinCircuits = 20  // judge a guard only after this many circuits
	pathBiasExtreme     = 0.3 // a success rate below this is set aside outright
	pathBiasRelative    = 0.5 // … and so is one below half the others' median
	pathBiasScaleAt     = 300 // counters are halved past this, so old history fades
	guardSaveEvery      = 16  // counter-only updates saved this often
)

// Built records a circuit built through guard p: the guard is confirmed
// and reachable.
func (g *Guards) Built(p peer.ID) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := g.find(p)
	if i < 0 {
		return nil
	}
	e := &g.sampled[i]
	e.Circuits++
	e.Succeeded++
	wasDown := !e.DownSince.IsZero()
	e.Unreachable, e.DownSince, e.DownSeen = time.Time{}, time.Time{}, time.Time{}
	scale(e)
	if e.Confirmed.IsZero() || wasDown {
		if e.Confirmed.IsZero() {
			e.Confirmed = g.now()
		}
		return g.save() // a restart must not find the outage again
	}
	return g.saveLazily()
}

// Unreachable records that this node could not connect to guard p itself
// (a first-hand observation): it is skipped for a few minutes, and its
// outage, as this node sees it, began now unless it had already.
func (g *Guards) Unreachable(p peer.ID) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if i := g.find(p); i >= 0 {
		e := &g.sampled[i]
		e.Unreachable = g.now()
		g.markDown(e, e.Unreachable)
		return g.save()
	}
	return nil
}

// Failed records a circuit through guard p that failed after the guard was
// reached (an extend failed, TRUNCATED, a timeout). Only the guard's
// path-bias counters change: what a hop says about another is not
// verifiable and marks nobody. It reports whether this failure set the
// guard aside.
func (g *Guards) Failed(p peer.ID) (setAside bool, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := g.find(p)
	if i < 0 {
		return false, nil
	}
	e := &g.sampled[i]
	e.Circuits++
	scale(e)
	if !e.SetAside && g.biased(i) {
		e.SetAside = true
		return true, g.save()
	}
	return false, g.saveLazily()
}

// biased: entry i has enough circuits and a success rate far below an
// acceptable one or below half the median of the other judged guards.
func (g *Guards) biased(i int) bool {
	e := g.sampled[i]
	if e.Circuits < pathBiasMinCircuits {
		return false
	}
	rate := float64(e.Succeeded) / float64(e.Circuits)
	if rate < pathBiasExtreme {
		return true
	}
	var others []float64
	for j, o := range g.sampled {
		if j != i && !o.SetAside && o.Circuits >= pathBiasMinCircuits {
			others = append(others, float64(o.Succeeded)/float64(o.Circuits))
		}
	}
	if len(others) == 0 {
		return false
	}
	slices.Sort(others)
	return rate < pathBiasRelative*others[len(others)/2]
}

func scale(e *GuardEntry) {
	if e.Circuits >= pathBiasScaleAt {
		e.Circuits /= 2
		e.Succeeded /= 2
	}
}

// saveLazily persists counter updates every guardSaveEvery calls; g.mu held.
func (g *Guards) saveLazily() error {
	if g.dirty++; g.dirty < guardSaveEvery {
		return nil
	}
	return g.save()
}
