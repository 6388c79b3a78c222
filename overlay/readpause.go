package overlay

import "time"

// Input-side backpressure: what a link's read loop waits for before it
// reads more. Cells not read cost the relay nothing, and the neighbour's
// stream fills until its writer slows, hop by hop.
//
//   - A read whose cells pushed a link's queue past linkQueueHigh holds
//     until that queue drains below linkQueueLow, as Tor stops reading a
//     connection whose outbound buffer is full. Circuit windows bound each
//     circuit's share of a queue; this bounds the link's.
//   - A read in which CREATEs were refused by their peer's or prefix's
//     token bucket holds until the bucket has a token again, the refused
//     CREATEs charged to it (createLimiter.penalty): a neighbour flooding
//     CREATEs gets its cells read at a trickle, not at the rate it writes
//     them, so refusing a flood no longer costs the read, the lock and a
//     DESTROY per cell written, nor do its pauses end in bursts of
//     admitted handshakes that take every core at once.
//
// Either wait ends early if a link closes, and is bounded: maxDrainWait
// for a congested link, so relays whose queues form a cycle (A waits on
// its link to B, B on its link to C, C on its link to A) slow each other
// down but never stall (past the queue budget the OOM killer sheds the
// circuits filling them); maxCreatePause for a bucket.
const (
	maxDrainWait   = 250 * time.Millisecond
	maxCreatePause = time.Second
)

type readPause struct {
	out  *link         // a link past linkQueueHigh the cells went to, or nil
	wait time.Duration // until the refusing CREATE bucket has a token
}

// hold waits out p on l's read loop.
func (l *link) hold(p readPause) {
	if p.out != nil {
		l.waitDrained(p.out)
	}
	if p.wait <= 0 {
		return
	}
	t := time.NewTimer(min(p.wait, maxCreatePause))
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.done:
	}
}

// waitDrained holds l's read loop until out has drained, l or out closed,
// or maxDrainWait passed.
func (l *link) waitDrained(out *link) {
	t := time.NewTimer(maxDrainWait)
	defer t.Stop()
	select {
	case <-out.drained():
	case <-out.done:
	case <-l.done:
	case <-t.C:
	}
}
