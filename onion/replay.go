package onion

import "sync"

// ReplaySet remembers handshake ephemeral keys per onion key, so a relay can
// refuse a replayed CREATE. NK already stops a replayer from learning the
// hop keys (the relay's fresh ephemeral changes them); refusing replays keeps
// a relay from being driven to redo handshakes or to build the same circuit
// twice on someone else's recorded message.
type ReplaySet interface {
	// Seen records ephemeral under onion key id and reports whether it was
	// already recorded.
	Seen(id KeyID, ephemeral [32]byte) bool
	// Forget drops everything recorded under id; call it when the onion key
	// is retired (its lifetime bounds the set).
	Forget(id KeyID)
}

var _ ReplaySet = (*MemoryReplaySet)(nil)

// DefaultReplayEntries bounds a MemoryReplaySet per onion key.
const DefaultReplayEntries = 1 << 16

// MemoryReplaySet is an in-memory ReplaySet with bounded memory: at most Max
// entries per onion key (zero means DefaultReplayEntries), about 50 bytes
// each, evicted oldest first. An evicted ephemeral could be replayed again;
// size Max above the number of CREATEs one onion key sees in its lifetime
// when that matters. Safe for concurrent use.
type MemoryReplaySet struct {
	Max int

	mu   sync.Mutex
	sets map[KeyID]*replayRing
}

// replayRing stores 16-byte prefixes of ephemerals (random points, so a
// prefix collision among 2^16 entries has probability about 2^-97).
type replayRing struct {
	seen map[[16]byte]struct{}
	fifo [][16]byte
	next int
}

// Seen implements ReplaySet.
func (s *MemoryReplaySet) Seen(id KeyID, ephemeral [32]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sets == nil {
		s.sets = make(map[KeyID]*replayRing)
	}
	r := s.sets[id]
	if r == nil {
		r = &replayRing{seen: make(map[[16]byte]struct{})}
		s.sets[id] = r
	}
	return r.add([16]byte(ephemeral[:16]), s.max())
}

func (s *MemoryReplaySet) max() int {
	if s.Max <= 0 {
		return DefaultReplayEntries
	}
	return s.Max
}

func (r *replayRing) add(k [16]byte, max int) bool {
	if _, ok := r.seen[k]; ok {
		return true
	}
	if len(r.fifo) < max {
		r.fifo = append(r.fifo, k)
	} else {
		delete(r.seen, r.fifo[r.next])
		r.fifo[r.next] = k
		r.next = (r.next + 1) % max
	}
	r.seen[k] = struct{}{}
	return false
}

// Forget implements ReplaySet.
func (s *MemoryReplaySet) Forget(id KeyID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sets, id)
}
