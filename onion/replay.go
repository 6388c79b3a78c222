package onion

import "sync"

// ReplaySet remembers handshake ephemeral keys per onion key, so a relay can
// refuse a replayed CREATE. NK already stops a replayer from learning the
// hop keys (the relay's fresh ephemeral changes them); refusing replays keeps
// a relay from being driven to redo handshakes or to build the same circuit
// twice on someone else's recorded message.
//
// A replay set must not forget within its onion key's lifetime: one that
// evicts old entries lets a flood of valid CREATEs flush a recorded one,
// which then replays. Sizing it to the admitted handshake rate times the
// key lifetime is out of reach (tens of thousands of CREATEs a second for
// two weeks), so the state is bound to the key instead: a full set refuses
// every new ephemeral under its key (ErrReplayFull) until the key is
// retired, and the relay rotates its key early when the set fills
// (Relay.ReplayRoom).
type ReplaySet interface {
	// Seen records ephemeral under onion key id and reports whether it
	// cannot be accepted: already recorded, or the set under id is full
	// (then a replay cannot be told from a fresh one).
	Seen(id KeyID, ephemeral [32]byte) bool
	// Room reports how many more ephemerals id can record, and how many
	// it can hold in all.
	Room(id KeyID) (room, size int)
	// Forget drops everything recorded under id; call it when the onion key
	// is retired (its lifetime bounds the set).
	Forget(id KeyID)
}

var _ ReplaySet = (*MemoryReplaySet)(nil)

// DefaultReplayEntries bounds a MemoryReplaySet per onion key: 458,752
// ephemerals (7/8 of 2^19, just under a map growth), about 17 MiB when
// full. That is days of an honest relay's CREATEs; a flood fills it sooner
// and then costs the relay an early key rotation, never a replay.
const DefaultReplayEntries = 7 << 16

// MemoryReplaySet is an in-memory ReplaySet with bounded memory: at most Max
// entries per onion key (zero means DefaultReplayEntries). It never evicts:
// a key whose entries reach Max refuses every further ephemeral until
// Forget. Safe for concurrent use.
type MemoryReplaySet struct {
	Max int

	mu sync.Mutex
	// sets holds 16-byte prefixes of ephemerals (random points, so a prefix
	// collision among 2^19 entries has probability about 2^-90).
	sets map[KeyID]map[[16]byte]struct{}
}

// Seen implements ReplaySet.
func (s *MemoryReplaySet) Seen(id KeyID, ephemeral [32]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sets == nil {
		s.sets = make(map[KeyID]map[[16]byte]struct{})
	}
	set := s.sets[id]
	if set == nil {
		set = make(map[[16]byte]struct{})
		s.sets[id] = set
	}
	k := [16]byte(ephemeral[:16])
	if _, ok := set[k]; ok || len(set) >= s.max() {
		return true
	}
	set[k] = struct{}{}
	return false
}

// Room implements ReplaySet.
func (s *MemoryReplaySet) Room(id KeyID) (room, size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(0, s.max()-len(s.sets[id])), s.max()
}

func (s *MemoryReplaySet) max() int {
	if s.Max <= 0 {
		return DefaultReplayEntries
	}
	return s.Max
}

// Forget implements ReplaySet.
func (s *MemoryReplaySet) Forget(id KeyID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sets, id)
}
