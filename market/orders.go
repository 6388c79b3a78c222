package market

import (
	"context"
	"time"
)

// OrderState is where an order's units are.
type OrderState string

// Order states.
const (
	Escrow   OrderState = "escrow"   // held by the market
	Disputed OrderState = "disputed" // held, waiting for the operator
	Released OrderState = "released" // credited to the seller
	Refunded OrderState = "refunded" // credited back to the buyer
)

// Order is a purchase. It exists only once its units are the market's.
type Order struct {
	ID      string     `json:"id"`
	Listing string     `json:"listing"`
	Title   string     `json:"title"`
	Seller  string     `json:"seller"`
	Buyer   string     `json:"buyer"`
	Qty     uint64     `json:"qty"`
	Amount  uint64     `json:"amount"`
	State   OrderState `json:"state"`
	Paid    string     `json:"paid"` // "token" or "balance"
	Change  string     `json:"change,omitempty"`
	Dispute string     `json:"dispute,omitempty"`
	Created time.Time  `json:"created"`
	Settled time.Time  `json:"settled,omitzero"`
}

// Item is what a buyer asks for: Qty of a listing at the unit Price the
// buyer was shown, so a seller raising the price meanwhile cannot take
// more of a token than the buyer agreed to.
type Item struct {
	Listing    string
	Qty, Price uint64
}

// reserve takes the item for buyer inside tx and returns the order it
// would make.
func (m *Market) reserve(tx Tx, buyer string, it Item) (*Order, error) {
	var l Listing
	if err := must(tx, bListing, it.Listing, &l); err != nil {
		return nil, err
	}
	qty := it.Qty
	switch {
	case l.Price != it.Price:
		return nil, ErrPriceChanged
	case l.Withdrawn:
		return nil, ErrWithdrawn
	case l.Seller == buyer:
		return nil, ErrOwnListing
	case qty == 0 || qty > l.Quantity:
		return nil, ErrSoldOut
	case l.Price > maxUnits/qty:
		return nil, ErrBadInput
	}
	if err := mustAccount(tx, buyer); err != nil {
		return nil, err
	}
	l.Quantity -= qty
	if err := putJSON(tx, bListing, l.ID, l); err != nil {
		return nil, err
	}
	return &Order{Listing: l.ID, Title: l.Title, Seller: l.Seller, Buyer: buyer, Qty: qty,
		Amount: l.Price * qty, State: Escrow, Created: m.now()}, nil
}

// BuyWithToken pays for an item with a cashuB token: the token is
// checked offline, claimed by a swap at the mint, and only then does the
// order exist. Value above the price comes back as the order's change.
func (m *Market) BuyWithToken(ctx context.Context, buyer string, it Item, token string) (Order, error) {
	ct, err := m.checkToken(ctx, token)
	if err != nil {
		return Order{}, err
	}
	// A random ID, not one derived from the token: whoever knew the token
	// must not be able to name the order it paid for.
	id, err := m.newID()
	if err != nil {
		return Order{}, err
	}
	c, err := m.claimToken(ctx, ct, kindOrder, func(tx Tx, c *Claim) (uint64, error) {
		o, err := m.reserve(tx, buyer, it)
		if err != nil {
			return 0, err
		}
		o.ID, o.Paid = id, "token"
		c.Order = o
		return o.Amount, nil
	})
	if err != nil {
		return Order{}, err
	}
	return m.viewOrder(ctx, c.Order.ID)
}

// BuyWithBalance pays from the buyer's market balance; nonce makes a
// repeated submission of the same form return the same order.
func (m *Market) BuyWithBalance(ctx context.Context, buyer string, it Item, nonce string) (Order, error) {
	var id string
	err := m.cfg.Store.Update(ctx, func(tx Tx) error {
		var done bool
		var err error
		if id, done, err = m.once(tx, "buy", buyer, nonce); err != nil || done {
			return err
		}
		o, err := m.reserve(tx, buyer, it)
		if err != nil {
			return err
		}
		o.ID, o.Paid = id, "balance"
		if err := credit(tx, buyer, -int64(o.Amount)); err != nil {
			return err
		}
		return putJSON(tx, bOrder, o.ID, o)
	})
	if err != nil {
		return Order{}, err
	}
	return m.viewOrder(ctx, id)
}

// once makes a form submission idempotent: the first call with a nonce
// records a fresh ID; a repeat returns that ID with done set.
func (m *Market) once(tx Tx, op, who, nonce string) (id string, done bool, err error) {
	key := tagged("cyclecash market once\x00", []byte(op+"\x00"+who+"\x00"+nonce))
	if v, err := tx.Get(bDone, key); err != nil || v != nil {
		return string(v), v != nil, err
	}
	id = key[:16]
	return id, false, tx.Put(bDone, key, []byte(id))
}

// maxUnits bounds every amount the market handles.
const maxUnits = 1 << 40

func (m *Market) viewOrder(ctx context.Context, id string) (Order, error) {
	var o Order
	err := m.cfg.Store.View(ctx, func(tx Tx) error { return must(tx, bOrder, id, &o) })
	return o, err
}
