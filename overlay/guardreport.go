package overlay

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Reasons a sampled guard is not used now (GuardReport.Excluded).
const (
	GuardPathBias    = "path bias"                                  // set aside: its circuits failed far too often
	GuardNotEligible = "not eligible"                               // its descriptor now names another role
	GuardUnreachable = "unreachable"                                // this node failed to connect lately
	GuardNotListed   = "not listed"                                 // missing from the directory
	GuardHeld        = "held back while an earlier primary is down" // GuardRules.Hold
	guardSpare       = "not primary yet"                            // eligible, waiting behind the primaries
)

// GuardReport is one sampled guard as the user sees it.
type GuardReport struct {
	Peer      peer.ID
	Primary   bool // one of the PrimaryGuards this node builds through
	Confirmed bool // a circuit was built through it
	Expires   time.Time
	Circuits  uint32 // path bias: circuits attempted and built
	Succeeded uint32
	// Excluded says why the guard is not usable now ("" when it is):
	// GuardPathBias, GuardNotEligible, GuardUnreachable, GuardNotListed,
	// GuardHeld or, for an eligible guard behind the primaries, "not
	// primary yet".
	Excluded string
}

// Report describes every sampled guard against sel, in order of
// preference (set-aside guards last), with the same primary and
// usability rules as Usable. It changes nothing.
func (g *Guards) Report(sel *PathSelector) []GuardReport {
	g.mu.Lock()
	defer g.mu.Unlock()
	now, primaries, held := g.now(), 0, false
	var out []GuardReport
	for _, e := range g.ordered() {
		r := reportOf(e)
		d := sel.Get(e.Peer)
		switch {
		case d != nil && !guardRole(d):
			r.Excluded = GuardNotEligible
		case d == nil && now.Sub(e.Listed) >= guardDownGrace:
			r.Excluded = GuardNotListed
		case primaries == PrimaryGuards:
			r.Excluded = guardSpare
		default:
			primaries++
			r.Primary = true
			switch {
			case held && !r.Confirmed:
				r.Excluded = GuardHeld
			case d == nil:
				r.Excluded = GuardNotListed
			case now.Sub(e.Unreachable) < guardRetryAfter:
				r.Excluded = GuardUnreachable
			}
			held = held || r.Excluded != "" && g.holding(e, now)
		}
		out = append(out, r)
	}
	for _, e := range g.sampled {
		if e.SetAside {
			r := reportOf(e)
			r.Excluded = GuardPathBias
			out = append(out, r)
		}
	}
	return out
}

func reportOf(e GuardEntry) GuardReport {
	return GuardReport{Peer: e.Peer, Confirmed: !e.Confirmed.IsZero(), Expires: e.Expires,
		Circuits: e.Circuits, Succeeded: e.Succeeded}
}
