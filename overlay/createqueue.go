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
// longer than its own would be; otherwise it is refused. Many Sybil
// neighbours still share the workers, one turn each, with the honest ones.
type createQueue struct {
	mu     sync.Mutex
	size   int
	n      int
	queues map[peer.ID][]*createJob
	ring   []peer.ID // neighbours with CREATEs queued, in turn order
	next   int       // index in ring of the neighbour whose turn is next
	ready  chan struct{}
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
	if len(q.queues[p]) == 0 {
		q.ring = append(q.ring, p)
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
	for _, p := range q.ring {
		if len(q.queues[p]) > len(q.queues[best]) {
			best = p
		}
	}
	return best
}

// pop takes the next neighbour's oldest CREATE; call it once per token
// received from ready.
func (q *createQueue) pop() *createJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ring) == 0 {
		return nil
	}
	q.next %= len(q.ring)
	p := q.ring[q.next]
	jobs := q.queues[p]
	j := jobs[0]
	jobs[0] = nil
	q.n--
	if len(jobs) == 1 {
		delete(q.queues, p)
		q.ring = append(q.ring[:q.next], q.ring[q.next+1:]...)
	} else {
		q.queues[p] = jobs[1:]
		q.next++
	}
	return j
}

// len is how many CREATEs are queued.
func (q *createQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
