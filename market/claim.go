package market

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// A claim is a swap at the mint in flight. It is persisted, with its
// outputs' secrets and blinding factors, before the mint is called, so a
// market that dies after the mint answered but before it committed the
// result replays the identical request on restart and gets the identical
// signatures back (the mint's swap is idempotent for identical bodies).

// Claim kinds.
const (
	kindOrder    = "order"
	kindSell     = "sell"
	kindWithdraw = "withdraw"
)

// Claim is a persisted swap request and what to do when it succeeds.
type Claim struct {
	ID       string       `json:"id"`
	Kind     string       `json:"kind"`
	Created  time.Time    `json:"created"`
	Ys       []string     `json:"ys,omitempty"`   // token inputs claimed here
	Held     []Proof      `json:"held,omitempty"` // pool inputs (withdrawals)
	Req      SwapRequest  `json:"req"`
	Outputs  []Premint    `json:"outputs"`
	Order    *Order       `json:"order,omitempty"`
	Sell     *SellRequest `json:"sell,omitempty"`
	Withdraw *Withdrawal  `json:"withdraw,omitempty"`
}

// claimID names the claim of a set of token inputs.
func claimID(ys []string) string {
	s := slices.Sorted(slices.Values(ys))
	return tagged("cyclecash market claim\x00", []byte(strings.Join(s, ",")))[:32]
}

// claimToken claims a checked token for a purpose. prepare runs inside the
// transaction that records the claim; it reserves what the purpose needs
// and returns the units the market keeps (the rest is change) and fills
// the claim's purpose. The swap happens after that commit.
func (m *Market) claimToken(ctx context.Context, ct checkedToken, kind string,
	prepare func(tx Tx, c *Claim) (keep uint64, err error)) (*Claim, error) {
	var c *Claim
	err := m.cfg.Store.Update(ctx, func(tx Tx) error {
		c = &Claim{ID: claimID(ct.ys), Kind: kind, Created: m.now(), Ys: ct.ys}
		for _, y := range ct.ys {
			if v, err := tx.Get(bClaimedY, y); err != nil || v != nil {
				return orErr(err, ErrTokenUsed)
			}
			if err := tx.Put(bClaimedY, y, claimedMark); err != nil {
				return err
			}
		}
		keep, err := prepare(tx, c)
		if err != nil {
			return err
		}
		if keep > ct.sum {
			return ErrUnderpaid
		}
		if err := m.buildSwap(c, ct.proofs, ct.keyset, keep, ct.sum-keep, true); err != nil {
			return err
		}
		return putJSON(tx, bClaim, c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return c, m.runClaim(ctx, c)
}

// claimedMark is the value of a claimed Y: only that it was claimed is
// kept, not by which claim, so the store does not tie a token to the order
// or account it paid for (the claim itself, which does, is deleted once
// settled).
var claimedMark = []byte("1")

func orErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// buildSwap fills the claim's request: inputs without DLEQ, outputs a
// (kept by the market when aMine) and b (the other party's).
func (m *Market) buildSwap(c *Claim, inputs []Proof, ks KeysetID, a, b uint64, aMine bool) error {
	oa, err := newOutputs(m.cfg.Rand, ks, a, aMine)
	if err != nil {
		return err
	}
	ob, err := newOutputs(m.cfg.Rand, ks, b, !aMine)
	if err != nil {
		return err
	}
	c.Outputs = append(oa, ob...)
	c.Req = SwapRequest{Inputs: stripDLEQ(inputs), Outputs: messages(c.Outputs)}
	return nil
}

// runClaim sends the claim's swap and settles the claim by its answer: a
// success is committed, a refusal undone; with no answer the claim stays
// for Recover, and ErrMintDown is returned.
func (m *Market) runClaim(ctx context.Context, c *Claim) error {
	sigs, err := m.cfg.Mint.Swap(ctx, c.Req)
	if err == nil {
		return m.finish(ctx, c, sigs)
	}
	if !isRefusal(err) {
		return ErrMintDown
	}
	if uerr := m.cfg.Store.Update(ctx, func(tx Tx) error { return undoClaim(tx, c) }); uerr != nil {
		return uerr
	}
	switch {
	case spentRefusal(err):
		return ErrTokenSpent
	default:
		return ErrTokenInvalid
	}
}

// finish unblinds the signatures and commits the claim's purpose in one
// transaction; a claim already finished is left alone (idempotent).
func (m *Market) finish(ctx context.Context, c *Claim, sigs []BlindSignature) error {
	if len(c.Outputs) == 0 {
		return m.cfg.Store.Update(ctx, func(tx Tx) error { return m.commitClaim(tx, c, nil, "") })
	}
	vk, err := m.keys.get(ctx, c.Outputs[0].Msg.ID)
	if err != nil {
		return ErrMintDown
	}
	proofs, err := unblind(vk, c.Outputs, sigs)
	if err != nil {
		return err
	}
	var mine, theirs []Proof
	for i, p := range proofs {
		if c.Outputs[i].Mine {
			mine = append(mine, p)
		} else {
			theirs = append(theirs, p)
		}
	}
	token := ""
	if len(theirs) > 0 {
		if token, err = encodeToken(m.cfg.MintURL, theirs); err != nil {
			return err
		}
	}
	return m.cfg.Store.Update(ctx, func(tx Tx) error {
		var cur Claim
		if ok, err := getJSON(tx, bClaim, c.ID, &cur); err != nil || !ok {
			return err // finished before
		}
		for _, p := range mine {
			if err := holdProof(tx, p); err != nil {
				return err
			}
		}
		return m.commitClaim(tx, c, mine, token)
	})
}

func holdProof(tx Tx, p Proof) error {
	y, err := proofY(p)
	if err != nil {
		return err
	}
	return putJSON(tx, bProof, y, p)
}

// Recover replays every claim in flight for longer than ClaimGrace (left
// by a crash or while the mint was unreachable) and returns how many it
// settled.
func (m *Market) Recover(ctx context.Context) (int, error) {
	var claims []*Claim
	cutoff := m.now().Add(-m.cfg.ClaimGrace)
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bClaim, "", func(_ string, c *Claim) error {
			if !c.Created.After(cutoff) {
				claims = append(claims, c)
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range claims {
		if err := m.runClaim(ctx, c); errors.Is(err, ErrMintDown) {
			return n, err
		}
		n++
	}
	return n, nil
}
