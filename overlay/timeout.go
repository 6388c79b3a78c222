package overlay

import (
	"time"

	"cyclecash/onion"
)

// keepBuildTimes is how many recent build times the learner keeps (as Tor).
const keepBuildTimes = 1000

// buildTimes is a ring of recent successful circuit build times.
type buildTimes struct {
	samples []time.Duration
	next    int
}

func (b *buildTimes) add(d time.Duration) {
	if len(b.samples) < keepBuildTimes {
		b.samples = append(b.samples, d)
		return
	}
	b.samples[b.next] = d
	b.next = (b.next + 1) % keepBuildTimes
}

// BuildTimeout is the circuit build timeout learned from this node's build
// times (onion.BuildTimeout: 60 s until enough builds were seen).
func (o *Onion) BuildTimeout() time.Duration {
	o.mu.Lock()
	defer o.unlock()
	return onion.BuildTimeout(o.builds.samples)
}
