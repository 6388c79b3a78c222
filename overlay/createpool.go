package overlay

import (
	"sync"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// CREATE handshakes run in a bounded pool of workers, not under the onion
// lock: one handshake costs ~120 µs of CPU, and under the lock a flood of
// CREATEs would stall every circuit of the node. Admission (caps, rate
// buckets, the circuit ID reservation) happens under the lock; a CREATE
// finding the queue full is refused at once, so the queue, and the delay an
// admitted CREATE waits, stay bounded.

type createJob struct {
	l    *link
	ref  onion.CircRef
	hs   onion.Handshaker
	body [onion.BodySize]byte
	// standing of the neighbour when it sent the CREATE: its class and
	// turns in the queue (createstanding.go)
	standing int
	seq      uint64 // order of arrival in the queue (createQueue.longest)
}

type createPool struct {
	jobs *createQueue // fair between neighbours: createqueue.go
	stop chan struct{}
	once sync.Once
	// warned is the onion key whose low replay room ReplayLow was told; o.mu.
	warned onion.KeyID
	// standing of neighbours with circuits that carried cells; o.mu.
	standing map[peer.ID]*standing
}

func newCreatePool(o *Onion) *createPool {
	p := &createPool{jobs: newCreateQueue(o.cfg.Limits.HandshakeQueue), stop: make(chan struct{}),
		standing: map[peer.ID]*standing{}}
	for range o.cfg.Limits.HandshakeWorkers {
		go p.work(o)
	}
	return p
}

func (p *createPool) work(o *Onion) {
	for {
		select {
		case <-p.stop:
			return
		case <-p.jobs.ready:
			j := p.jobs.pop()
			if j == nil { // tokens match queued jobs: cannot happen
				continue
			}
			reply, keys, err := j.hs.Respond(&j.body)
			o.finishCreate(j, reply, keys, err)
		}
	}
}

// onCreate admits a CREATE from l; o.mu held.
func (o *Onion) onCreate(l *link, cell *onion.Cell) {
	ref := onion.CircRef{Link: l.id, CircID: cell.CircID()}
	refuse := func(counter *uint64) {
		*counter++
		o.execute(o.relay.RefuseCreate(ref, o.acts[:0]))
	}
	if o.perPeer[l.peer] >= o.cfg.MaxCircuitsPerLink {
		refuse(&o.defence.PeerCapRefused)
		return
	}
	if ok, which := o.limiter.allow(o.now, l.peer, l.prefix); !ok {
		if which == "peer" {
			refuse(&o.defence.PeerRateRefused)
		} else {
			refuse(&o.defence.SubnetRateRefused)
		}
		return
	}
	acts, err := o.relay.BeginCreate(ref, o.acts[:0])
	if err != nil {
		o.log.Debug("onion CREATE refused", "err", scrub(err))
		o.execute(acts)
		return
	}
	j := &createJob{l: l, ref: ref, hs: o.hs, body: *cell.Body(), standing: o.standingOf(l.peer, o.now)}
	o.creating.Add(1)
	evicted, ok := o.pool.jobs.push(j)
	if ok {
		o.perPeer[l.peer]++
	} else {
		evicted = j
	}
	if evicted != nil {
		o.dropCreate(evicted, ok)
	}
}

// dropCreate refuses a CREATE the full handshake queue did not take (or
// displaced, if queued); o.mu held.
func (o *Onion) dropCreate(j *createJob, queued bool) {
	if queued {
		o.peerDone(j.l.peer)
	}
	o.creating.Done()
	o.defence.CreateQueueFull++
	o.execute(o.relay.AbortCreate(j.ref, o.acts[:0]))
}

// finishCreate completes a CREATE after its handshake.
func (o *Onion) finishCreate(j *createJob, reply []byte, keys *onion.HopKeys, herr error) {
	defer o.creating.Done()
	o.mu.Lock()
	defer o.unlock()
	o.defence.CreatesHandled++
	if j.standing > 0 {
		o.defence.CreatesStanding++
	}
	now := o.clock()
	acts, err := o.relay.FinishCreate(now, j.ref, reply, keys, herr, o.acts[:0])
	if err == nil {
		o.relayed[j.ref] = &relayedCirc{prev: j.l.peer, created: now}
	} else {
		o.peerDone(j.l.peer)
		o.log.Debug("onion CREATE refused", "err", scrub(err))
	}
	o.execute(acts)
	o.checkReplayRoom()
}

// checkReplayRoom calls Limits.ReplayLow once per onion key whose replay
// set is three quarters full; o.mu held.
func (o *Onion) checkReplayRoom() {
	notify := o.cfg.Limits.ReplayLow
	if notify == nil {
		return
	}
	if room, size := o.relay.ReplayRoom(); room >= size/4 {
		return
	}
	if id := o.relay.OnionKeys()[0].ID(); id != o.pool.warned {
		o.pool.warned = id
		go notify()
	}
}

// peerDone forgets one circuit (or pending CREATE) of p; o.mu held.
func (o *Onion) peerDone(p peer.ID) {
	if o.perPeer[p]--; o.perPeer[p] <= 0 {
		delete(o.perPeer, p)
	}
}
