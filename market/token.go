package market

import (
	"context"
	"errors"
)

// checkedToken is a pasted token whose proofs passed the offline checks.
type checkedToken struct {
	proofs []Proof
	ys     []string
	sum    uint64
	keyset KeysetID // the inputs' earliest-expiring keyset
}

// checkToken decodes a token and verifies every proof's DLEQ offline
// against the mint's published keys; nothing is sent to the mint.
func (m *Market) checkToken(ctx context.Context, s string) (checkedToken, error) {
	var ct checkedToken
	if err := m.limits.allow(actToken); err != nil {
		return ct, err // before any work: a flood costs no curve arithmetic
	}
	ps, err := decodeToken(s)
	if err != nil {
		return ct, err
	}
	var expiry int64
	seen := map[string]bool{}
	for _, p := range ps {
		y, err := proofY(p)
		if err != nil || seen[y] || p.Amount == 0 || ct.sum+p.Amount < ct.sum {
			return ct, ErrBadToken
		}
		seen[y] = true
		vk, err := m.keys.get(ctx, p.ID)
		if err != nil {
			return ct, tokenErr(err)
		}
		if err := checkDLEQ(vk, p); err != nil {
			return ct, err
		}
		if ct.keyset == "" || vk.info.FinalExpiry < expiry {
			ct.keyset, expiry = p.ID, vk.info.FinalExpiry
		}
		ct.proofs, ct.ys, ct.sum = append(ct.proofs, p), append(ct.ys, y), ct.sum+p.Amount
	}
	return ct, nil
}

func tokenErr(err error) error {
	if errors.Is(err, ErrMintDown) || errors.Is(err, ErrBadToken) {
		return err
	}
	return ErrBadToken
}
