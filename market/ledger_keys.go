package market

// Keysets, tokens and proofs: the ledger types the market checks.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// keyring caches keysets whose IDs were checked against their keys.
type keyring struct {
	mint Mint
	mu   sync.Mutex
	sets map[ledger.KeysetID]*verifiedKeyset
}

type verifiedKeyset struct {
	info KeysetInfo
	pubs map[uint64]*secp256k1.PublicKey
}

func (k *keyring) get(ctx context.Context, id ledger.KeysetID) (*verifiedKeyset, error) {
	k.mu.Lock()
	vk := k.sets[id]
	k.mu.Unlock()
	if vk != nil {
		return vk, nil
	}
	ks, err := k.mint.Keys(ctx, id)
	if err != nil {
		return nil, err
	}
	vk, err = verifyKeyset(ks)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.sets[id] = vk
	k.mu.Unlock()
	return vk, nil
}

// verifyKeyset checks that the ID commits to the keys, unit and expiry
// (NUT-02), so the mint cannot show the market a key the ID does not name.
func verifyKeyset(ks Keyset) (*verifiedKeyset, error) {
	if ks.Unit != ledger.Unit {
		return nil, fmt.Errorf("%w: unit %q", ErrBadToken, ks.Unit)
	}
	points := map[uint64]ledger.Point{}
	vk := &verifiedKeyset{info: ks.KeysetInfo, pubs: map[uint64]*secp256k1.PublicKey{}}
	for a, p := range ks.Keys {
		amount, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: key amount", ErrBadToken)
		}
		pub, err := p.Key()
		if err != nil {
			return nil, fmt.Errorf("%w: key", ErrBadToken)
		}
		points[amount], vk.pubs[amount] = p, pub
	}
	// The gateway charges no input fee, so the ID commits to none.
	if ledger.DeriveKeysetID(points, ks.Unit, 0, ks.FinalExpiry) != ks.ID {
		return nil, fmt.Errorf("%w: keyset id does not match its keys", ErrBadToken)
	}
	return vk, nil
}

// decodeToken parses a pasted token string.
func decodeToken(s string) ([]Proof, error) {
	tok, err := ledger.DecodeToken(s)
	if err != nil || tok.Unit != ledger.Unit || len(tok.Proofs) == 0 {
		return nil, ErrBadToken
	}
	return tok.Proofs, nil
}

// encodeToken makes a cashuB token of proofs for the mint at mintURL.
func encodeToken(mintURL string, ps []Proof) (string, error) {
	return ledger.Token{Mint: mintURL, Unit: ledger.Unit, Proofs: ps}.Encode()
}

// proofY returns hex(hash_to_curve(secret)), the proof's public name.
func proofY(p Proof) (string, error) {
	y, err := p.Y()
	if err != nil {
		return "", ErrBadToken
	}
	return hex.EncodeToString(y[:]), nil
}

// checkDLEQ verifies a proof's DLEQ offline (NUT-12 "Carol verifies").
func checkDLEQ(vk *verifiedKeyset, p Proof) error {
	pub := vk.pubs[p.Amount]
	if pub == nil || !ledger.VerifyProofDLEQ(p, pub) {
		return fmt.Errorf("%w: dleq proof missing or invalid", ErrBadToken)
	}
	return nil
}

// stripDLEQ returns the inputs as the mint wants them: without DLEQ.
func stripDLEQ(ps []Proof) []Proof {
	out := make([]Proof, len(ps))
	for i, p := range ps {
		p.DLEQ = nil
		out[i] = p
	}
	return out
}

// isRefusal reports a definitive answer of the mint: it did nothing.
func isRefusal(err error) bool {
	var me *MintError
	return errors.As(err, &me)
}

// spentRefusal reports the mint refusing inputs as spent or pending.
func spentRefusal(err error) bool {
	return errors.Is(err, ledger.ErrAlreadySpent) || errors.Is(err, ledger.ErrPending)
}

// unspentAt asks the mint for the states of Ys (hex) and reports which
// are unspent.
func unspentAt(ctx context.Context, mint Mint, ys []string) ([]bool, error) {
	pts := make([]ledger.Point, len(ys))
	for i, y := range ys {
		if err := pts[i].UnmarshalText([]byte(y)); err != nil {
			return nil, err
		}
	}
	states, err := mint.CheckState(ctx, pts)
	if err != nil || len(states) != len(ys) {
		return nil, orErr(err, ErrMintDown)
	}
	out := make([]bool, len(ys))
	for i, s := range states {
		out[i] = s.State == ledger.Unspent
	}
	return out, nil
}

func newKeyring(m Mint) *keyring {
	return &keyring{mint: m, sets: map[ledger.KeysetID]*verifiedKeyset{}}
}
