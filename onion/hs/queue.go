package hs

// The service's queue of accepted introductions, ordered by verified
// proof-of-work effort (highest first, then first come), after proposal
// 327 §3.4. Under a flood of cheap introductions the service answers the
// ones that paid first; when full it drops the cheapest. The suggested
// effort it publishes rises while the queue overflows or stays over half
// full and falls while it stays nearly empty.

import "container/heap"

// IntroQueue holds pending introductions of type T. Not safe for concurrent
// use.
type IntroQueue[T any] struct {
	h         introHeap[T]
	max       int
	seq       uint64
	dropped   int
	peak      int
	suggested uint8
}

type queued[T any] struct {
	v      T
	effort uint8
	seq    uint64
}

type introHeap[T any] []queued[T]

func (h introHeap[T]) Len() int { return len(h) }
func (h introHeap[T]) Less(i, j int) bool {
	if h[i].effort != h[j].effort {
		return h[i].effort > h[j].effort
	}
	return h[i].seq < h[j].seq
}
func (h introHeap[T]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *introHeap[T]) Push(x any)   { *h = append(*h, x.(queued[T])) }
func (h *introHeap[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// NewIntroQueue returns a queue holding at most max introductions.
func NewIntroQueue[T any](max int) *IntroQueue[T] {
	if max < 1 {
		max = 1
	}
	return &IntroQueue[T]{max: max}
}

// Push queues v at its verified effort. When full it drops the cheapest
// queued introduction if v paid more, else refuses v with ErrQueueFull.
func (q *IntroQueue[T]) Push(v T, effort uint8) error {
	if len(q.h) >= q.max {
		i := q.cheapest()
		q.dropped++
		if q.h[i].effort >= effort {
			return ErrQueueFull
		}
		heap.Remove(&q.h, i)
	}
	q.seq++
	heap.Push(&q.h, queued[T]{v: v, effort: effort, seq: q.seq})
	q.peak = max(q.peak, len(q.h))
	return nil
}

// cheapest returns the index of the lowest-effort, latest entry: a leaf.
func (q *IntroQueue[T]) cheapest() int {
	best := len(q.h) / 2
	for i := best + 1; i < len(q.h); i++ {
		if q.h.Less(best, i) {
			best = i
		}
	}
	return best
}

// Pop returns the highest-effort introduction.
func (q *IntroQueue[T]) Pop() (T, uint8, bool) {
	if len(q.h) == 0 {
		var zero T
		return zero, 0, false
	}
	x := heap.Pop(&q.h).(queued[T])
	return x.v, x.effort, true
}

// Len returns the number queued.
func (q *IntroQueue[T]) Len() int { return len(q.h) }

// Suggested is the effort to publish in the descriptor.
func (q *IntroQueue[T]) Suggested() uint8 { return q.suggested }

// UpdateEffort ends one update period (the caller's timer, e.g. every few
// minutes) and returns the new suggested effort: one bit more if the queue
// overflowed or stayed over half full, one less if it never held more than
// an eighth, else unchanged; never above ceiling.
func (q *IntroQueue[T]) UpdateEffort(ceiling uint8) uint8 {
	switch {
	case (q.dropped > 0 || q.peak > q.max/2) && q.suggested < min(ceiling, MaxPoWEffort):
		q.suggested++
	case q.dropped == 0 && q.peak <= q.max/8 && q.suggested > 0:
		q.suggested--
	}
	q.dropped, q.peak = 0, len(q.h)
	return q.suggested
}
