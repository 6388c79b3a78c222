package market

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Withdrawal is a balance paid out as a fresh cashuB token. The token is
// kept for its owner until claimed (see handout.go); Taken is set once it
// is erased.
type Withdrawal struct {
	ID      string    `json:"id"`
	Account string    `json:"account"`
	Amount  uint64    `json:"amount"`
	Token   string    `json:"token,omitempty"`
	Taken   bool      `json:"taken,omitempty"`
	Created time.Time `json:"created"`
}

// Withdraw debits amount from the account and mints it as a token by
// swapping held units at the mint (the change stays with the market). The
// nonce makes a repeated submission return the first withdrawal.
func (m *Market) Withdraw(ctx context.Context, account string, amount uint64, nonce string) (Withdrawal, error) {
	if amount == 0 || amount > maxUnits {
		return Withdrawal{}, ErrBadInput
	}
	expiry, err := m.poolExpiries(ctx)
	if err != nil {
		return Withdrawal{}, err
	}
	var c *Claim
	var id string
	err = m.cfg.Store.Update(ctx, func(tx Tx) error {
		var done bool
		if id, done, err = m.once(tx, "withdraw", account, nonce); err != nil || done {
			c = nil
			return err
		}
		c, err = m.prepareWithdraw(tx, account, id, amount, expiry)
		return err
	})
	if err != nil {
		return Withdrawal{}, err
	}
	if c != nil {
		if err := m.runClaim(ctx, c); err != nil {
			return Withdrawal{}, err
		}
	}
	return m.withdrawal(ctx, account, id)
}

// poolExpiries learns (from the mint, checked) the final expiry of every
// keyset the market holds units of.
func (m *Market) poolExpiries(ctx context.Context) (map[KeysetID]int64, error) {
	ids := map[KeysetID]int64{}
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bProof, "", func(_ string, p *Proof) error { ids[p.ID] = 0; return nil })
	})
	for id := range ids {
		if err != nil {
			break
		}
		var vk *verifiedKeyset
		if vk, err = m.keys.get(ctx, id); err == nil {
			ids[id] = vk.info.FinalExpiry
		}
	}
	return ids, err
}

func (m *Market) prepareWithdraw(tx Tx, account, id string, amount uint64, expiry map[KeysetID]int64) (*Claim, error) {
	if err := credit(tx, account, -int64(amount)); err != nil {
		return nil, err
	}
	var pool []Proof
	err := scanJSON(tx, bProof, "", func(_ string, p *Proof) error {
		if _, ok := expiry[p.ID]; ok {
			pool = append(pool, *p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Oldest keysets first, so held units are spent before they expire.
	slices.SortStableFunc(pool, func(a, b Proof) int {
		return cmp.Or(cmp.Compare(expiry[a.ID], expiry[b.ID]), cmp.Compare(b.Amount, a.Amount))
	})
	var picked []Proof
	var sum uint64
	for _, p := range pool {
		if sum >= amount {
			break
		}
		picked, sum = append(picked, p), sum+p.Amount
		y, _ := proofY(p)
		if err := tx.Delete(bProof, y); err != nil {
			return nil, err
		}
	}
	if sum < amount {
		return nil, ErrInsufficient
	}
	c := &Claim{ID: "w" + id, Kind: kindWithdraw, Created: m.now(), Held: picked,
		Withdraw: &Withdrawal{ID: id, Account: account, Amount: amount, Created: m.now()}}
	if err := m.buildSwap(c, picked, picked[0].ID, amount, sum-amount, false); err != nil {
		return nil, err
	}
	return c, putJSON(tx, bClaim, c.ID, c)
}

func (m *Market) withdrawal(ctx context.Context, account, id string) (Withdrawal, error) {
	var w Withdrawal
	err := m.cfg.Store.View(ctx, func(tx Tx) error { return must(tx, bWithdraw, id, &w) })
	if err == nil && w.Account != account {
		return Withdrawal{}, ErrNotFound
	}
	return w, err
}

// Withdrawals lists an account's withdrawals and the units of those whose
// swap at the mint has not completed yet.
func (m *Market) Withdrawals(ctx context.Context, account string) ([]Withdrawal, uint64, error) {
	var out []Withdrawal
	var pending uint64
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		err := scanJSON(tx, bWithdraw, "", func(_ string, w *Withdrawal) error {
			if w.Account == account {
				w.Token = ""
				out = append(out, *w)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return scanJSON(tx, bClaim, "", func(_ string, c *Claim) error {
			if c.Withdraw != nil && c.Withdraw.Account == account {
				pending += c.Withdraw.Amount
			}
			return nil
		})
	})
	return out, pending, err
}
