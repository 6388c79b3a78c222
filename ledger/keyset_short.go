package ledger

import (
	"fmt"
	"strings"
)

// Short keyset IDs (NUT-00 "Short keyset ID"): a token may carry only the
// first 8 bytes of a version 01 ID; a receiver resolves it against the
// keysets the mint lists and refuses it when none or several match. The
// mint's API itself always uses full IDs.

// ShortIDLen is the length in hex digits of a short keyset ID.
const ShortIDLen = 16

// fullIDLen is the length in hex digits of a version 01 keyset ID.
const fullIDLen = 66

// Short returns the 8-byte short form of a version 01 ID (id itself when
// it is shorter already).
func (id KeysetID) Short() KeysetID {
	if len(id) <= ShortIDLen {
		return id
	}
	return id[:ShortIDLen]
}

// IsShort reports whether id is the short form of a version 01 ID.
func (id KeysetID) IsShort() bool {
	return len(id) == ShortIDLen && strings.HasPrefix(string(id), "01")
}

// ResolveKeysetID returns the full ID among known that id names: id itself
// when it is full, the one known ID it is a prefix of when it is short.
// A short ID that matches no known ID is ErrUnknownKeyset; one matching
// several is ambiguous and refused as ErrMalformed.
func ResolveKeysetID(id KeysetID, known []KeysetID) (KeysetID, error) {
	if !id.IsShort() {
		return id, nil
	}
	var found KeysetID
	for _, k := range known {
		if len(k) != fullIDLen || !strings.HasPrefix(string(k), string(id)) || k == found {
			continue
		}
		if found != "" {
			return "", fmt.Errorf("%w: short keyset id %s is ambiguous", ErrMalformed, id)
		}
		found = k
	}
	if found == "" {
		return "", fmt.Errorf("%w: short keyset id %s", ErrUnknownKeyset, id)
	}
	return found, nil
}

// ResolveKeysets replaces every short keyset ID in the token's proofs with
// the full ID among known (see ResolveKeysetID). The token is unchanged
// on error.
func (t *Token) ResolveKeysets(known []KeysetID) error {
	out := make([]Proof, len(t.Proofs))
	for i, p := range t.Proofs {
		id, err := ResolveKeysetID(p.ID, known)
		if err != nil {
			return err
		}
		p.ID = id
		out[i] = p
	}
	t.Proofs = out
	return nil
}

// KnownKeysetIDs returns the IDs of every keyset the mint recognises now
// (accepted or expired within the grace window), for ResolveKeysets.
func (m *Mint) KnownKeysetIDs() ([]KeysetID, error) {
	today := DayOf(m.now())
	var out []KeysetID
	for d := today; d > today-lifetimeDays-graceDays; d-- {
		ks, err := m.keysetForDay(d)
		if err != nil {
			return nil, err
		}
		out = append(out, ks.ID)
	}
	return out, nil
}

// DecodeToken parses a cashuB token and resolves its short keyset IDs
// against the keysets this mint recognises: the mint-side parser for
// tokens handed to the gateway (escrow of a job's payment).
func (m *Mint) DecodeToken(s string) (Token, error) {
	t, err := DecodeToken(s)
	if err != nil {
		return Token{}, err
	}
	known, err := m.KnownKeysetIDs()
	if err != nil {
		return Token{}, err
	}
	if err := t.ResolveKeysets(known); err != nil {
		return Token{}, err
	}
	return t, nil
}
