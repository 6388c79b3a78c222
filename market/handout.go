package market

import (
	"context"

	"cyclecash/ledger"
)

// Tokens the market hands out (an order's change, a sell request's change,
// a withdrawal) stay viewable by their owner until claimed, so a refresh or
// a dropped connection loses nothing; they are erased when the owner
// confirms receipt (Received) or when the sweep finds every proof of the
// token spent at the mint (pruneHandouts).

// Handout kinds, as Received takes them.
const (
	HandoutChange   = "change"   // an order's change, owned by the buyer
	HandoutSell     = "sell"     // a sell request's change
	HandoutWithdraw = "withdraw" // a withdrawal's token
)

// handout is one stored token with where it lives.
type handout struct {
	kind, id, token string
	ys              []ledger.Point
}

// Received erases the token of kind held for account under id, once its
// owner has it in a wallet. Erasing an absent token is no error.
func (m *Market) Received(ctx context.Context, account, kind, id string) error {
	return m.cfg.Store.Update(ctx, func(tx Tx) error { return eraseHandout(tx, account, kind, id, "") })
}

// eraseHandout clears the token of kind under id. With owner set it must be
// the owner's; with token set it is cleared only if unchanged.
func eraseHandout(tx Tx, owner, kind, id, token string) error {
	clear := func(who string, field *string) error {
		if owner != "" && who != owner {
			return ErrNotFound
		}
		if token != "" && *field != token {
			return nil
		}
		*field = ""
		return nil
	}
	switch kind {
	case HandoutChange:
		var o Order
		if err := must(tx, bOrder, id, &o); err != nil {
			return err
		}
		if err := clear(o.Buyer, &o.Change); err != nil {
			return err
		}
		return putJSON(tx, bOrder, id, o)
	case HandoutSell:
		var s SellRequest
		if err := must(tx, bSell, id, &s); err != nil {
			return err
		}
		if err := clear(s.Account, &s.Change); err != nil {
			return err
		}
		return putJSON(tx, bSell, id, s)
	case HandoutWithdraw:
		var w Withdrawal
		if err := must(tx, bWithdraw, id, &w); err != nil {
			return err
		}
		if err := clear(w.Account, &w.Token); err != nil {
			return err
		}
		w.Taken = w.Token == ""
		return putJSON(tx, bWithdraw, id, w)
	}
	return ErrBadInput
}

// handouts lists every token the store still holds for someone.
func (m *Market) handouts(ctx context.Context) ([]handout, error) {
	var out []handout
	add := func(kind, id, token string) {
		if token != "" {
			out = append(out, handout{kind: kind, id: id, token: token})
		}
	}
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		err := scanJSON(tx, bOrder, "", func(_ string, o *Order) error { add(HandoutChange, o.ID, o.Change); return nil })
		if err == nil {
			err = scanJSON(tx, bSell, "", func(_ string, s *SellRequest) error { add(HandoutSell, s.ID, s.Change); return nil })
		}
		if err == nil {
			err = scanJSON(tx, bWithdraw, "", func(_ string, w *Withdrawal) error { add(HandoutWithdraw, w.ID, w.Token); return nil })
		}
		return err
	})
	return out, err
}

// pruneHandouts erases every handed-out token whose proofs are all spent
// at the mint: its owner claimed it, so the market need not keep it. The
// mint is asked in batches of about checkBatch proofs.
func (m *Market) pruneHandouts(ctx context.Context) error {
	hs, err := m.handouts(ctx)
	for len(hs) > 0 && err == nil {
		var batch []handout
		var ys []ledger.Point
		for len(hs) > 0 && len(ys) < checkBatch {
			h := hs[0]
			hs = hs[1:]
			if h.ys, err = tokenYs(h.token); err != nil {
				continue // not ours to judge; left for its owner
			}
			batch, ys = append(batch, h), append(ys, h.ys...)
		}
		err = m.pruneBatch(ctx, batch, ys)
	}
	return err
}

// checkBatch bounds the proofs of one checkstate request.
const checkBatch = 256

func (m *Market) pruneBatch(ctx context.Context, batch []handout, ys []ledger.Point) error {
	if len(ys) == 0 {
		return nil
	}
	states, err := m.cfg.Mint.CheckState(ctx, ys)
	if err != nil || len(states) != len(ys) {
		return orErr(err, ErrMintDown)
	}
	for _, h := range batch {
		spent := true
		for range h.ys {
			spent, states = spent && states[0].State == ledger.Spent, states[1:]
		}
		if !spent {
			continue
		}
		err := m.cfg.Store.Update(ctx, func(tx Tx) error { return eraseHandout(tx, "", h.kind, h.id, h.token) })
		if err != nil {
			return err
		}
	}
	return nil
}

// tokenYs returns the Ys of a token's proofs.
func tokenYs(token string) ([]ledger.Point, error) {
	ps, err := decodeToken(token)
	if err != nil {
		return nil, err
	}
	ys := make([]ledger.Point, len(ps))
	for i, p := range ps {
		if ys[i], err = p.Y(); err != nil {
			return nil, err
		}
	}
	return ys, nil
}

// allSpent reports whether the mint knows every proof of token as spent.
func (m *Market) allSpent(ctx context.Context, token string) (bool, error) {
	ys, err := tokenYs(token)
	if err != nil {
		return false, err
	}
	states, err := m.cfg.Mint.CheckState(ctx, ys)
	if err != nil || len(states) != len(ys) {
		return false, orErr(err, ErrMintDown)
	}
	for _, s := range states {
		if s.State != ledger.Spent {
			return false, nil
		}
	}
	return true, nil
}

// live returns token unless the mint knows it spent, in which case it is
// erased and "" returned; a mint that cannot answer leaves it shown.
func (m *Market) live(ctx context.Context, kind, id, token string) string {
	if token == "" {
		return ""
	}
	if spent, err := m.allSpent(ctx, token); err != nil || !spent {
		return token
	}
	err := m.cfg.Store.Update(ctx, func(tx Tx) error { return eraseHandout(tx, "", kind, id, token) })
	if err != nil {
		return token
	}
	return ""
}

// Withdrawal returns an account's withdrawal with its token while the
// token is unclaimed: shown again on every view until spent or Received.
func (m *Market) Withdrawal(ctx context.Context, account, id string) (Withdrawal, error) {
	w, err := m.withdrawal(ctx, account, id)
	if err != nil {
		return Withdrawal{}, err
	}
	w.Token = m.live(ctx, HandoutWithdraw, id, w.Token)
	w.Taken = w.Token == ""
	return w, nil
}
