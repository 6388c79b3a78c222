package market

import (
	"context"
	"time"
)

// CashState is a cash-out request's state.
type CashState string

// Cash-out states.
const (
	CashOpen    CashState = "open"    // waiting for the operator
	CashPaid    CashState = "paid"    // the cash moved
	CashRefused CashState = "refused" // the operator declined
)

// SellRequest asks B to buy units for cash: the units are claimed by swap
// on submission; the operator pays out by the free-text instruction.
type SellRequest struct {
	ID      string    `json:"id"`
	Account string    `json:"account"`
	Amount  uint64    `json:"amount"`
	Payout  string    `json:"payout"`
	Change  string    `json:"change,omitempty"`
	State   CashState `json:"state"`
	Note    string    `json:"note,omitempty"`
	Created time.Time `json:"created"`
}

// Offer is B selling units for cash at a price per unit.
type Offer struct {
	ID      string    `json:"id"`
	Price   string    `json:"price"` // e.g. "0.02 EUR per unit"
	Min     uint64    `json:"min"`
	Max     uint64    `json:"max"`
	Terms   string    `json:"terms"`
	Active  bool      `json:"active"`
	Created time.Time `json:"created"`
}

// BuyRequest is an account taking an offer: it pays cash as the terms say
// and the operator, once paid, credits the units from B's own account.
type BuyRequest struct {
	ID      string    `json:"id"`
	Offer   string    `json:"offer"`
	Account string    `json:"account"`
	Amount  uint64    `json:"amount"`
	Note    string    `json:"note"`
	State   CashState `json:"state"`
	Created time.Time `json:"created"`
}

// SellForCash claims a token of at least amount units for a sell request;
// value above amount is returned as the request's change.
func (m *Market) SellForCash(ctx context.Context, account string, amount uint64, token, payout string) (SellRequest, error) {
	if amount == 0 || amount > maxUnits {
		return SellRequest{}, ErrBadInput
	}
	ct, err := m.checkToken(ctx, token)
	if err != nil {
		return SellRequest{}, err
	}
	id, err := m.newID() // not derived from the token (see BuyWithToken)
	if err != nil {
		return SellRequest{}, err
	}
	c, err := m.claimToken(ctx, ct, kindSell, func(tx Tx, c *Claim) (uint64, error) {
		if err := mustAccount(tx, account); err != nil {
			return 0, err
		}
		c.Sell = &SellRequest{ID: id, Account: account, Amount: amount, Payout: payout,
			State: CashOpen, Created: m.now()}
		return amount, nil
	})
	if err != nil {
		return SellRequest{}, err
	}
	var s SellRequest
	err = m.cfg.Store.View(ctx, func(tx Tx) error { return must(tx, bSell, c.Sell.ID, &s) })
	return s, err
}

// BuyForCash records an account's request to take an offer.
func (m *Market) BuyForCash(ctx context.Context, account, offer string, amount uint64, note, nonce string) (BuyRequest, error) {
	var b BuyRequest
	err := m.cfg.Store.Update(ctx, func(tx Tx) error {
		id, done, err := m.once(tx, "buycash", account, nonce)
		if err != nil {
			return err
		}
		if done {
			return must(tx, bBuyReq, id, &b)
		}
		var o Offer
		if err := must(tx, bOffer, offer, &o); err != nil {
			return err
		}
		if !o.Active {
			return ErrWithdrawn
		}
		if amount < o.Min || amount > o.Max {
			return ErrBadInput
		}
		b = BuyRequest{ID: id, Offer: offer, Account: account, Amount: amount, Note: note,
			State: CashOpen, Created: m.now()}
		return putJSON(tx, bBuyReq, id, b)
	})
	return b, err
}

// CashRequests lists an account's sell and buy requests ("" for all).
func (m *Market) CashRequests(ctx context.Context, account string) ([]SellRequest, []BuyRequest, error) {
	var sells []SellRequest
	var buys []BuyRequest
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		err := scanJSON(tx, bSell, "", func(_ string, s *SellRequest) error {
			if account == "" || s.Account == account {
				sells = append(sells, *s)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return scanJSON(tx, bBuyReq, "", func(_ string, b *BuyRequest) error {
			if account == "" || b.Account == account {
				buys = append(buys, *b)
			}
			return nil
		})
	})
	return sells, buys, err
}

// Offers lists B's offers; active only when all is false.
func (m *Market) Offers(ctx context.Context, all bool) ([]Offer, error) {
	var out []Offer
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bOffer, "", func(_ string, o *Offer) error {
			if all || o.Active {
				out = append(out, *o)
			}
			return nil
		})
	})
	return out, err
}

// settleCash settles a sell or buy request: paid moves the units to B's
// own account (sell) or from it to the buyer (buy); refused returns a
// seller's units as balance. Repeating a done settlement is a no-op.
func (m *Market) settleCash(ctx context.Context, id string, paid bool, note string) error {
	to := CashRefused
	if paid {
		to = CashPaid
	}
	return m.cfg.Store.Update(ctx, func(tx Tx) error {
		var s SellRequest
		if ok, err := getJSON(tx, bSell, id, &s); err != nil {
			return err
		} else if ok {
			return settleSell(tx, &s, to, note)
		}
		var b BuyRequest
		if err := must(tx, bBuyReq, id, &b); err != nil {
			return err
		}
		return settleBuy(tx, &b, to)
	})
}

func settleSell(tx Tx, s *SellRequest, to CashState, note string) error {
	if s.State == to {
		return nil
	}
	if s.State != CashOpen {
		return ErrBadState
	}
	who := operatorAccount
	if to == CashRefused {
		who = s.Account
	}
	if err := credit(tx, who, int64(s.Amount)); err != nil {
		return err
	}
	s.State, s.Note = to, note
	return putJSON(tx, bSell, s.ID, s)
}

func settleBuy(tx Tx, b *BuyRequest, to CashState) error {
	if b.State == to {
		return nil
	}
	if b.State != CashOpen {
		return ErrBadState
	}
	if to == CashPaid {
		if err := credit(tx, operatorAccount, -int64(b.Amount)); err != nil {
			return err
		}
		if err := credit(tx, b.Account, int64(b.Amount)); err != nil {
			return err
		}
	}
	b.State = to
	return putJSON(tx, bBuyReq, b.ID, b)
}
