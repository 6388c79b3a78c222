package wallet

import (
	"context"
	"fmt"
	"strconv"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// keysetKeys is a gateway keyset whose ID was checked against its keys.
type keysetKeys struct {
	ID          ledger.KeysetID
	FinalExpiry int64
	Active      bool
	pubs        map[uint64]*secp256k1.PublicKey
}

type keysAnswer struct {
	Keysets []struct {
		ID          ledger.KeysetID         `json:"id"`
		Unit        string                  `json:"unit"`
		Active      bool                    `json:"active"`
		InputFeePPK int64                   `json:"input_fee_ppk"`
		FinalExpiry int64                   `json:"final_expiry"`
		Keys        map[string]ledger.Point `json:"keys"`
	} `json:"keysets"`
}

// keyset fetches (once) and checks the keys of id: the ID must commit to
// the keys, the unit and the expiry (NUT-02 version 01), so a gateway
// cannot hand out a key other than the one the ID names.
func (w *Wallet) keyset(ctx context.Context, id ledger.KeysetID) (*keysetKeys, error) {
	if ks, ok := w.keys[id]; ok {
		return ks, nil
	}
	if id.IsShort() {
		return nil, fmt.Errorf("%w: short keyset id %s not resolved", ledger.ErrUnknownKeyset, id)
	}
	var ans keysAnswer
	if err := w.do(ctx, "GET", "/v1/keys/"+string(id), nil, &ans); err != nil {
		return nil, err
	}
	return w.learn(ans, id)
}

// activeKeyset returns the gateway's active keyset that expires last: new
// units get the longest life.
func (w *Wallet) activeKeyset(ctx context.Context) (*keysetKeys, error) {
	var ans keysAnswer
	if err := w.do(ctx, "GET", "/v1/keys", nil, &ans); err != nil {
		return nil, err
	}
	best := -1
	for i, k := range ans.Keysets {
		if k.Active && k.Unit == ledger.Unit && (best < 0 || k.FinalExpiry > ans.Keysets[best].FinalExpiry) {
			best = i
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("wallet: gateway lists no active keyset")
	}
	return w.learn(ans, ans.Keysets[best].ID)
}

func (w *Wallet) learn(ans keysAnswer, want ledger.KeysetID) (*keysetKeys, error) {
	for _, k := range ans.Keysets {
		if k.ID != want {
			continue
		}
		if k.Unit != ledger.Unit {
			return nil, fmt.Errorf("%w: keyset unit %q", ledger.ErrUnit, k.Unit)
		}
		if k.InputFeePPK != 0 {
			return nil, fmt.Errorf("wallet: gateway keyset %.16s… charges a fee (%d ppk)", k.ID, k.InputFeePPK)
		}
		ks := &keysetKeys{ID: k.ID, FinalExpiry: k.FinalExpiry, Active: k.Active, pubs: map[uint64]*secp256k1.PublicKey{}}
		points := map[uint64]ledger.Point{}
		for a, p := range k.Keys {
			amount, err := strconv.ParseUint(a, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: key amount %q", ledger.ErrMalformed, a)
			}
			pub, err := p.Key()
			if err != nil {
				return nil, err
			}
			points[amount], ks.pubs[amount] = p, pub
		}
		if ledger.DeriveKeysetID(points, k.Unit, k.InputFeePPK, k.FinalExpiry) != k.ID {
			return nil, fmt.Errorf("wallet: gateway keyset %.16s… does not match its keys", k.ID)
		}
		w.keys[k.ID] = ks
		return ks, nil
	}
	return nil, fmt.Errorf("%w: gateway did not return keyset %.16s…", ledger.ErrUnknownKeyset, want)
}

func (ks *keysetKeys) pub(amount uint64) (*secp256k1.PublicKey, error) {
	p, ok := ks.pubs[amount]
	if !ok {
		return nil, fmt.Errorf("%w: no key for amount %d", ledger.ErrAmount, amount)
	}
	return p, nil
}

// keysetList fetches the gateway's keysets (NUT-02), to resolve the short
// keyset IDs a token may carry.
func (w *Wallet) keysetList(ctx context.Context) ([]ledger.KeysetID, error) {
	var ans struct {
		Keysets []struct {
			ID ledger.KeysetID `json:"id"`
		} `json:"keysets"`
	}
	if err := w.do(ctx, "GET", "/v1/keysets", nil, &ans); err != nil {
		return nil, err
	}
	ids := make([]ledger.KeysetID, len(ans.Keysets))
	for i, k := range ans.Keysets {
		ids[i] = k.ID
	}
	return ids, nil
}

// resolve replaces short keyset IDs in tok with the gateway's full ones
// (NUT-00: a receiver MUST); a token with full IDs costs no request.
func (w *Wallet) resolve(ctx context.Context, tok *ledger.Token) error {
	short := false
	for _, p := range tok.Proofs {
		short = short || p.ID.IsShort()
	}
	if !short {
		return nil
	}
	ids, err := w.keysetList(ctx)
	if err != nil {
		return err
	}
	return tok.ResolveKeysets(ids)
}
