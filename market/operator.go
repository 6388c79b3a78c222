package market

import "context"

// Operator is B's operator API, for the operator view and the CLI. It
// acts without a session: whoever holds it is the operator.
type Operator struct{ m *Market }

// Operator returns the operator API.
func (m *Market) Operator() *Operator { return &Operator{m} }

// Listings returns every listing, withdrawn included.
func (op *Operator) Listings(ctx context.Context) ([]Listing, error) {
	var out []Listing
	err := op.m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bListing, "", func(_ string, l *Listing) error { out = append(out, *l); return nil })
	})
	return out, err
}

// Orders returns every order; disputedOnly keeps those awaiting a decision.
func (op *Operator) Orders(ctx context.Context, disputedOnly bool) ([]Order, error) {
	return op.m.orders(ctx, func(o *Order) bool { return !disputedOnly || o.State == Disputed })
}

// Settle decides a disputed order: release to the seller or refund.
func (op *Operator) Settle(ctx context.Context, order string, release bool) error {
	return op.m.settleDispute(ctx, order, release)
}

// CashoutList returns every sell and buy request.
func (op *Operator) CashoutList(ctx context.Context) ([]SellRequest, []BuyRequest, error) {
	return op.m.CashRequests(ctx, "")
}

// CashoutSettle settles a sell or buy request as paid or refused.
func (op *Operator) CashoutSettle(ctx context.Context, id string, paid bool, note string) error {
	return op.m.settleCash(ctx, id, paid, note)
}

// PostOffer publishes a buy-units-for-cash offer.
func (op *Operator) PostOffer(ctx context.Context, in OfferInput) (Offer, error) {
	id, err := op.m.newID()
	if err != nil {
		return Offer{}, err
	}
	o := Offer{ID: id, Price: in.Price, Min: in.Min, Max: in.Max, Terms: in.Terms, Active: true, Created: op.m.now()}
	err = op.m.cfg.Store.Update(ctx, func(tx Tx) error { return putJSON(tx, bOffer, id, o) })
	return o, err
}

// WithdrawOffer ends an offer.
func (op *Operator) WithdrawOffer(ctx context.Context, id string) error {
	return op.m.cfg.Store.Update(ctx, func(tx Tx) error {
		var o Offer
		if err := must(tx, bOffer, id, &o); err != nil {
			return err
		}
		o.Active = false
		return putJSON(tx, bOffer, id, o)
	})
}

// Report returns B's totals.
func (op *Operator) Report(ctx context.Context) (Totals, error) { return op.m.Report(ctx) }

// Recover replays swaps in flight.
func (op *Operator) Recover(ctx context.Context) (int, error) { return op.m.Recover(ctx) }

// Audit asks the mint for the state of every held proof and returns the
// units it holds that are unspent and those the mint reports otherwise
// (which would mean the books are wrong).
func (op *Operator) Audit(ctx context.Context) (unspent, other uint64, err error) {
	var ys []string
	var amounts []uint64
	err = op.m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bProof, "", func(k string, p *Proof) error {
			ys, amounts = append(ys, k), append(amounts, p.Amount)
			return nil
		})
	})
	if err != nil || len(ys) == 0 {
		return 0, 0, err
	}
	ok, err := unspentAt(ctx, op.m.cfg.Mint, ys)
	if err != nil {
		return 0, 0, err
	}
	for i, u := range ok {
		if u {
			unspent += amounts[i]
		} else {
			other += amounts[i]
		}
	}
	return unspent, other, nil
}

// Withdraw pays B's own units (bought from users for cash) out as a token,
// kept until spent (see handout.go); nonce makes a repeat return the same
// withdrawal.
func (op *Operator) Withdraw(ctx context.Context, amount uint64, nonce string) (Withdrawal, error) {
	w, err := op.m.Withdraw(ctx, operatorAccount, amount, nonce)
	if err != nil {
		return w, err
	}
	return op.m.Withdrawal(ctx, operatorAccount, w.ID)
}
