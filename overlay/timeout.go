package overlay

import (
	"time"

	"cyclecash/onion"
)

// keepBuildTimes is how many recent build times the learner keeps (as Tor).
const keepBuildTimes = 1000

// buildTimes is a ring of recent circuit build times, and the count of
// builds that timed out in a row since the last one that did not.
type buildTimes struct {
	samples  []time.Duration
	next     int
	timeouts int
}

// maxBackoff bounds the doubling of the timeout after consecutive timeouts.
const maxBackoff = 6

func (b *buildTimes) add(d time.Duration) {
	if len(b.samples) < keepBuildTimes {
		b.samples = append(b.samples, d)
		return
	}
	b.samples[b.next] = d
	b.next = (b.next + 1) % keepBuildTimes
}

// BuildTimeout is the circuit build timeout learned from this node's build
// times (onion.BuildTimeout: 60 s until enough builds were seen), doubled
// for every build that timed out in a row: a learned timeout near the
// typical build time would otherwise fail every retry during a burst of
// load (Tor likewise raises its timeout when most recent builds time out,
// path-spec §2.4.5).
func (o *Onion) BuildTimeout() time.Duration {
	o.mu.Lock()
	defer o.unlock()
	t := onion.BuildTimeout(o.builds.samples) << min(o.builds.timeouts, maxBackoff)
	return min(t, onion.DefaultBuildTimeout)
}

// buildOutcome counts consecutive timeouts.
func (o *Onion) buildOutcome(timedOut bool) {
	o.mu.Lock()
	defer o.unlock()
	if timedOut {
		o.builds.timeouts++
	} else {
		o.builds.timeouts = 0
	}
}
