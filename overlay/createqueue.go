package overlay

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"
)

// createQueue is the handshake queue, fair between neighbours: each
// neighbour's CREATEs wait in their own FIFO and the workers take one of
// each neighbour in turn, so a neighbour with a thousand CREATEs queued
// delays another's by one handshake per backlogged neighbour, not by its
// whole backlog.
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
// not held to the pace of a single client. A neighbour's ring and turns
// follow the standing its latest CREATE came with.
//
// At a full queue, an arriving CREATE takes the place of the newest CREATE
// of the longest backlog if that is longer than its own would be, and is
// refused otherwise, with a reserve for fresh CREATEs of the queue's size
// over prioShare+1 (the share of turns they keep): while fresh CREATEs
// hold more than it, one with standing takes the place of the newest of
// the longest fresh backlog however short (a flood of one CREATE per Sybil
// leaves no long backlog to cut) and a fresh one only that of a fresh one;
// while they hold less, a fresh one may take the place of one with
// standing. Sybils that earned standing cannot shut fresh neighbours out,
// nor fresh Sybils the neighbours with standing.
type createQueue struct {
	mu     sync.Mutex
	size   int
	n      int
	queues map[peer.ID][]*createJob
	seq    uint64          // CREATEs queued so far: createJob.seq
	ringOf map[peer.ID]int // which ring each neighbour with CREATEs queued waits in
	rings  [2]createRing   // 0: neighbours with standing, 1: fresh ones
	run    int             // turns ring 0 took in a row while ring 1 waited
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
	return &createQueue{size: size, queues: map[peer.ID][]*createJob{}, ringOf: map[peer.ID]int{},
		ready: make(chan struct{}, size)}
}

// push queues j. It returns the job j displaced (to be refused) and
// whether j was queued at all.
func (q *createQueue) push(j *createJob) (evicted *createJob, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := j.l.peer
	class := 1
	if j.standing > 0 {
		class = 0
	}
	if ring, queued := q.ringOf[p]; queued && ring != class {
		q.leave(p) // its standing came or went while its CREATEs waited
		q.join(p, class, j.standing)
	} else if queued {
		q.setTurns(p, j.standing)
	}
	if q.n >= q.size {
		if evicted = q.displace(p, class); evicted == nil {
			return nil, false
		}
	}
	if _, queued := q.ringOf[p]; !queued {
		q.join(p, class, j.standing)
	}
	q.seq++
	j.seq = q.seq
	q.queues[p] = append(q.queues[p], j)
	q.n++
	if evicted == nil {
		q.ready <- struct{}{} // never blocks: one token per queued job, n ≤ size
	}
	return evicted, true
}

// displace removes and returns the newest CREATE that an arriving one from
// p, of the given class, may take the place of, or nil; q.mu held. Fresh
// CREATEs keep a reserve of the queue, the share of turns they keep
// (size/(prioShare+1)): above it one with standing takes the place of a
// fresh one whatever its backlog; below it a fresh one may take the place
// of one with standing. Otherwise the length rule holds: the victim's
// backlog must be longer than the arriving neighbour's would be.
func (q *createQueue) displace(p peer.ID, class int) *createJob {
	reserve, fresh := max(1, q.size/(prioShare+1)), 0
	for _, f := range q.rings[1].peers {
		fresh += len(q.queues[f])
	}
	var v peer.ID
	switch {
	case class == 0 && fresh > reserve:
		v = q.longest(1)
	case class == 1 && fresh >= reserve:
		v = q.longest(1)
	default:
		v = q.longest(0, 1)
	}
	if v == "" || !(class == 0 && fresh > reserve) && len(q.queues[v]) <= len(q.queues[p])+1 {
		return nil
	}
	jobs := q.queues[v]
	j := jobs[len(jobs)-1]
	jobs[len(jobs)-1] = nil
	q.n--
	if len(jobs) == 1 {
		q.leave(v)
		delete(q.queues, v)
	} else {
		q.queues[v] = jobs[:len(jobs)-1]
	}
	return j
}

// join puts p last in the turn order of its class; q.mu held.
func (q *createQueue) join(p peer.ID, class, standing int) {
	r := &q.rings[class]
	r.peers = append(r.peers, p)
	r.turns = append(r.turns, max(1, standing))
	q.ringOf[p] = class
}

// leave takes p out of its ring; its queue stays for the caller to delete
// or keep. q.mu held.
func (q *createQueue) leave(p peer.ID) {
	r := &q.rings[q.ringOf[p]]
	delete(q.ringOf, p)
	i := 0
	for r.peers[i] != p {
		i++
	}
	r.peers = append(r.peers[:i], r.peers[i+1:]...)
	r.turns = append(r.turns[:i], r.turns[i+1:]...)
	switch {
	case i < r.next:
		r.next--
	case i == r.next:
		r.served = 0
	}
}

// longest is the neighbour in the given rings with the most CREATEs
// queued, of those the one whose newest CREATE came last; q.mu held.
func (q *createQueue) longest(rings ...int) peer.ID {
	var best peer.ID
	for _, i := range rings {
		for _, p := range q.rings[i].peers {
			jobs, bj := q.queues[p], q.queues[best]
			if len(jobs) > len(bj) || len(jobs) == len(bj) && jobs[len(jobs)-1].seq > bj[len(bj)-1].seq {
				best = p
			}
		}
	}
	return best
}

// setTurns sets the turns in a row p, queued, takes to its standing now;
// q.mu held.
func (q *createQueue) setTurns(p peer.ID, standing int) {
	r := &q.rings[q.ringOf[p]]
	for i := range r.peers {
		if r.peers[i] == p {
			r.turns[i] = max(1, standing)
			return
		}
	}
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
		q.leave(p)
		delete(q.queues, p)
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
