package overlay

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// createQueue is the handshake queue, fair between neighbours: each
// neighbour's CREATEs wait in their own FIFO and the workers take one of
// each neighbour in turn, so a neighbour with a thousand CREATEs queued
// delays another's by one handshake per backlogged neighbour, not by its
// whole backlog. A CREATE arriving at a full queue takes the place of the
// newest CREATE of the neighbour with the longest backlog, if that is
// longer than its own would be; otherwise it is refused.
//
// Neighbours with standing (createstanding.go: circuits through us that
// carried cells beyond their handshake, held for standingAge) wait in a
// ring of their own, served first: of every prioShare+1 turns while both
// rings wait, prioShare go to it, so a flood from many fresh neighbours
// (Sybils cost nothing but a key pair) delays an established neighbour by
// at most one handshake in prioShare+1, and fresh neighbours, honest
// newcomers among them, keep at least the remaining share. In its ring a
// neighbour takes as many turns in a row as its standing (at most
// maxStanding), so a relay neighbour carrying many clients' circuits is
// not held to the pace of a single client.
type createQueue struct {
	mu     sync.Mutex
	size   int
	n      int
	queues map[peer.ID][]*createJob
	rings  [2]createRing // 0: neighbours with standing, 1: fresh ones
	run    int           // turns ring 0 took in a row while ring 1 waited
	ready  chan struct{}
}

// createRing is the turn order of one class of neighbours.
type createRing struct {
	peers  []peer.ID // neighbours with CREATEs queued, in turn order
	turns  []int     // how many turns in a row each takes: its standing, ≥ 1
	next   int       // index of the neighbour whose turn it is
	served int       // turns it has taken in this round
}

func newCreateQueue(size int) *createQueue {
	return &createQueue{size: size, queues: map[peer.ID][]*createJob{}, ready: make(chan struct{}, size)}
}

// push queues j. It returns the job j displaced (to be refused) and
// whether j was queued at all.
func (q *createQueue) push(j *createJob) (evicted *createJob, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := j.l.peer
	if q.n >= q.size {
		long := q.longest()
		if long == "" || len(q.queues[long]) <= len(q.queues[p])+1 {
			return nil, false
		}
		jobs := q.queues[long]
		evicted = jobs[len(jobs)-1]
		q.queues[long] = jobs[:len(jobs)-1]
		q.n--
	}
	if len(q.queues[p]) == 0 { // a neighbour's class is set as it joins a ring
		r := &q.rings[1]
		if j.standing > 0 {
			r = &q.rings[0]
		}
		r.peers = append(r.peers, p)
		r.turns = append(r.turns, max(1, j.standing))
	}
	q.queues[p] = append(q.queues[p], j)
	q.n++
	if evicted == nil {
		q.ready <- struct{}{} // never blocks: one token per queued job, n ≤ size
	}
	return evicted, true
}

// longest is the neighbour with the most CREATEs queued; q.mu held.
func (q *createQueue) longest() peer.ID {
	var best peer.ID
	for i := range q.rings {
		for _, p := range q.rings[i].peers {
			if len(q.queues[p]) > len(q.queues[best]) {
				best = p
			}
		}
	}
	return best
}

// pop takes the oldest CREATE of the neighbour whose turn it is; call it
// once per token received from ready.
func (q *createQueue) pop() *createJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	prio, fresh := len(q.rings[0].peers) > 0, len(q.rings[1].peers) > 0
	var r *createRing
	switch {
	case prio && (!fresh || q.run < prioShare):
		r = &q.rings[0]
		if fresh {
			q.run++
		}
	case fresh:
		r, q.run = &q.rings[1], 0
	default:
		return nil
	}
	r.next %= len(r.peers)
	p := r.peers[r.next]
	jobs := q.queues[p]
	j := jobs[0]
	jobs[0] = nil
	q.n--
	r.served++
	switch {
	case len(jobs) == 1:
		delete(q.queues, p)
		r.peers = append(r.peers[:r.next], r.peers[r.next+1:]...)
		r.turns = append(r.turns[:r.next], r.turns[r.next+1:]...)
		r.served = 0
	case r.served >= r.turns[r.next]:
		q.queues[p] = jobs[1:]
		r.next++
		r.served = 0
	default:
		q.queues[p] = jobs[1:]
	}
	return j
}

// len is how many CREATEs are queued.
func (q *createQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
