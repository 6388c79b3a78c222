package onion

import (
	"errors"
	"testing"
	"time"
)

// TestReplayFloodCannotFlush: attacker = a client that recorded a CREATE
// and then floods the relay with fresh valid handshakes (more than the old
// 65,536-entry FIFO held) to push the recorded ephemeral out, then
// replays it. The set keeps every entry for its key's lifetime: the replay
// is refused, and once the set is full new ephemerals are refused too
// rather than old ones forgotten.
func TestReplayFloodCannotFlush(t *testing.T) {
	t.Parallel()
	s := new(MemoryReplaySet)
	id := KeyID{1}
	eph := func(i int) (e [32]byte) {
		e[0], e[1], e[2], e[3] = byte(i), byte(i>>8), byte(i>>16), 0xee
		return e
	}
	if s.Seen(id, eph(0)) {
		t.Fatal("fresh ephemeral reported seen")
	}
	const flood = 1<<16 + 1
	for i := 1; i <= flood; i++ {
		if s.Seen(id, eph(i)) {
			t.Fatalf("fresh ephemeral %d reported seen", i)
		}
	}
	if !s.Seen(id, eph(0)) {
		t.Fatalf("replay accepted after a flood of %d handshakes", flood)
	}
	if s.Seen(KeyID{2}, eph(0)) {
		t.Fatal("replay state not kept per onion key")
	}
	for i := flood + 1; ; i++ {
		if room, _ := s.Room(id); room == 0 {
			break
		}
		if s.Seen(id, eph(i)) {
			t.Fatalf("fresh ephemeral %d refused with room left", i)
		}
	}
	if !s.Seen(id, eph(1<<22)) {
		t.Fatal("a full set accepted a new ephemeral: it cannot tell a replay")
	}
	if !s.Seen(id, eph(0)) || !s.Seen(id, eph(1)) {
		t.Fatal("a full set forgot old ephemerals")
	}
	s.Forget(id)
	if s.Seen(id, eph(0)) {
		t.Fatal("Forget kept entries")
	}
}

// TestRelayReplayFull: the same attack through the relay with real
// handshakes and a small set. Past the set's size a fresh CREATE is
// refused (ErrReplayFull, counted, before the costly handshake), the
// recorded one still replays into ErrReplay, and a key rotation gives the
// relay a fresh, empty set.
func TestRelayReplayFull(t *testing.T) {
	t.Parallel()
	const size = 8
	r, spec, rng := testRelay(t, 60, RelayConfig{Replay: &MemoryReplaySet{Max: size}})
	circID := uint32(0)
	answer := func(create *Cell) error {
		circID++
		ref := CircRef{Link: 1, CircID: circID}
		if _, err := r.BeginCreate(ref, nil); err != nil {
			t.Fatal(err)
		}
		reply, keys, herr := r.Handshaker().Respond(create.Body())
		_, err := r.FinishCreate(time.Time{}, ref, reply, keys, herr, nil)
		return err
	}
	fresh := func() *Cell {
		_, c, err := NewClientCircuit(rng, 1, spec)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	recorded := fresh()
	if err := answer(recorded); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < size; i++ {
		if err := answer(fresh()); err != nil {
			t.Fatalf("handshake %d under the set's size: %v", i, err)
		}
	}
	if room, n := r.ReplayRoom(); room != 0 || n != size {
		t.Fatalf("ReplayRoom %d of %d after %d handshakes", room, n, size)
	}
	if err := answer(fresh()); !errors.Is(err, ErrReplayFull) {
		t.Fatalf("fresh CREATE under a full set: %v, want ErrReplayFull", err)
	}
	if err := answer(recorded); !errors.Is(err, ErrReplayFull) {
		t.Fatalf("replayed CREATE under a full set: %v, want a refusal", err)
	}
	if c := r.Counters(); c.ReplayFullRefused != 2 || r.Circuits() != size {
		t.Fatalf("counters %+v, %d circuits", c, r.Circuits())
	}

	next, err := GenerateOnionKey(rng)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SetOnionKeys(next, r.OnionKeys()[0]); err != nil {
		t.Fatal(err)
	}
	if err := answer(recorded); !errors.Is(err, ErrReplayFull) {
		t.Fatalf("replay under the kept previous key: %v, want a refusal", err)
	}
	spec.OnionKey = next.Public
	if err := answer(fresh()); err != nil {
		t.Fatalf("CREATE under the rotated key: %v", err)
	}
	if room, _ := r.ReplayRoom(); room != size-1 {
		t.Fatalf("rotated key's set has room %d, want %d", room, size-1)
	}
}

// TestRelayReplayRefused: a replay under a set with room is ErrReplay and
// counted as one.
func TestRelayReplayRefused(t *testing.T) {
	t.Parallel()
	r, spec, rng := testRelay(t, 61, RelayConfig{})
	_, create, err := NewClientCircuit(rng, 1, spec)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{nil, ErrReplay} {
		ref := CircRef{Link: 1, CircID: uint32(i + 1)}
		if _, err := r.BeginCreate(ref, nil); err != nil {
			t.Fatal(err)
		}
		reply, keys, herr := r.Handshaker().Respond(create.Body())
		if _, err := r.FinishCreate(time.Time{}, ref, reply, keys, herr, nil); !errors.Is(err, want) {
			t.Fatalf("CREATE %d: %v, want %v", i, err, want)
		}
	}
	if c := r.Counters(); c.ReplaysRefused != 1 {
		t.Fatalf("counters %+v: replay not counted", c)
	}
}
