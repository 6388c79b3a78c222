package onion

import "fmt"

// The relay's onion keys: handshakes are answered for the current key and,
// during the overlap after a rotation, the previous one (DESIGN.md §4). The
// replay set is kept per key, and a key's entries live exactly as long as
// the key: once it is retired no CREATE can name it, so its entries only
// take memory.

// SetOnionKeys replaces the onion keys after a rotation: current answers
// handshakes from now on, and previous (nil for none) keeps answering those
// of clients that still hold the older descriptor. Every key held before
// and not kept is retired: its replay entries are forgotten. Circuits
// already built are unaffected; their keys came from the handshake.
func (r *Relay) SetOnionKeys(current, previous *OnionKey) error {
	if current == nil {
		return fmt.Errorf("onion: SetOnionKeys: no current key")
	}
	keys := []*OnionKey{current}
	if previous != nil && previous.ID() != current.ID() {
		keys = append(keys, previous)
	}
	for _, old := range r.cfg.OnionKeys {
		if !holds(keys, old.ID()) {
			r.cfg.Replay.Forget(old.ID())
		}
	}
	r.cfg.OnionKeys = keys
	return nil
}

// OnionKeys returns the keys handshakes are answered for, current first.
func (r *Relay) OnionKeys() []*OnionKey { return append([]*OnionKey(nil), r.cfg.OnionKeys...) }

func holds(keys []*OnionKey, id KeyID) bool {
	for _, k := range keys {
		if k.ID() == id {
			return true
		}
	}
	return false
}

// handshake finds the onion key a CREATE payload names and answers it.
func (r *Relay) handshake(payload *[BodySize]byte) ([]byte, *HopKeys, error) {
	return r.Handshaker().Respond(payload)
}

// ReplayRoom reports how many more handshakes the current onion key's
// replay set can record, and its size. A relay whose room runs low rotates
// its onion key early: once the set is full every CREATE under the key is
// refused (ErrReplayFull), since forgetting old entries would let them
// replay (replay.go).
func (r *Relay) ReplayRoom() (room, size int) {
	return r.cfg.Replay.Room(r.cfg.OnionKeys[0].ID())
}
