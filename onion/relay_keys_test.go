package onion

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// TestSetOnionKeys: after each rotation the relay answers CREATEs for the
// current and previous key only, still refuses replays under a key it
// keeps, and forgets the replay entries of the key it retires.
func TestSetOnionKeys(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{30})
	var k [4]*OnionKey
	for i := range k {
		k[i], _ = GenerateOnionKey(rng)
	}
	replay := new(MemoryReplaySet)
	r, err := NewRelay(RelayConfig{Identity: []byte("relay"), OnionKeys: []*OnionKey{k[1], k[0]}, Replay: replay, Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	circID := uint32(0)
	create := func(key *OnionKey) *Cell {
		circID++
		_, c, err := NewClientCircuit(rng, circID, HopSpec{Identity: []byte("relay"), OnionKey: key.Public})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	answer := func(c *Cell) error {
		d := *c
		circID++
		d.SetHeader(circID, CmdCreate) // a fresh circuit ID, so a replay is not refused for its ID
		_, err := r.HandleCell(time.Time{}, 1, &d, nil)
		return err
	}
	old := create(k[0])
	kept := create(k[1])
	for _, c := range []*Cell{old, kept} {
		if err := answer(c); err != nil {
			t.Fatalf("before rotation: %v", err)
		}
	}

	if err := r.SetOnionKeys(k[2], k[1]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cell *Cell
		want error
	}{
		{"new current key", create(k[2]), nil},
		{"previous key", create(k[1]), nil},
		{"retired key", create(k[0]), ErrUnknownKey},
		{"replay under the kept key", kept, ErrReplay},
		{"replay under the retired key", old, ErrUnknownKey},
	} {
		if err := answer(tc.cell); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if replay.sets[k[0].ID()] != nil || replay.sets[k[1].ID()] == nil {
		t.Error("replay entries: the retired key's are kept or the previous key's are lost")
	}

	if err := r.SetOnionKeys(k[3], nil); err != nil {
		t.Fatal(err)
	}
	if len(r.OnionKeys()) != 1 || answer(create(k[2])) == nil || answer(create(k[3])) != nil {
		t.Error("with no previous key the relay does not answer for the current key alone")
	}
	if len(replay.sets) != 1 {
		t.Errorf("replay set holds %d keys' entries, want only the current key's", len(replay.sets))
	}
	if r.SetOnionKeys(nil, k[3]) == nil {
		t.Error("SetOnionKeys accepted no current key")
	}
}

// TestVersionBound: the protocol name bound into every handshake prologue
// names CellsVersion, so bumping one without the other fails here, and the
// prologue carries it.
func TestVersionBound(t *testing.T) {
	t.Parallel()
	if want := "/cyclecash/onion/" + string(rune('0'+CellsVersion)); ProtocolName != want {
		t.Fatalf("ProtocolName %q, want %q", ProtocolName, want)
	}
	if p := prologue([]byte("relay"), KeyID{}); !bytes.HasPrefix(p, []byte(ProtocolName)) {
		t.Fatalf("prologue %q does not start with the protocol name", p)
	}
	_, create, err := StartHandshake(rand.NewChaCha8([32]byte{1}), []byte("relay"), [32]byte{9})
	if err != nil || create[createVersionOff] != CellsVersion {
		t.Fatalf("CREATE payload version %d (%v), want %d", create[createVersionOff], err, CellsVersion)
	}
}
