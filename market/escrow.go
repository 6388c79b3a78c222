package market

import (
	"context"
	"time"
)

// Order returns an order, first releasing it if its escrow timed out (the
// only case that writes).
func (m *Market) Order(ctx context.Context, id string) (Order, error) {
	o, err := m.viewOrder(ctx, id)
	if err != nil || o.State != Escrow || m.now().Before(o.Created.Add(m.cfg.EscrowTimeout)) {
		return o, err
	}
	err = m.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := must(tx, bOrder, id, &o); err != nil {
			return err
		}
		return m.releaseIfDue(tx, &o)
	})
	return o, err
}

// OrderFor returns an order only to its buyer or seller.
func (m *Market) OrderFor(ctx context.Context, who, id string) (Order, error) {
	o, err := m.Order(ctx, id)
	if err == nil && who != o.Buyer && who != o.Seller {
		return Order{}, ErrNotFound
	}
	return o, err
}

func (m *Market) releaseIfDue(tx Tx, o *Order) error {
	if o.State != Escrow || m.now().Before(o.Created.Add(m.cfg.EscrowTimeout)) {
		return nil
	}
	return m.settleOrder(tx, o, Released)
}

// settleOrder moves an order's units to the seller or back to the buyer.
func (m *Market) settleOrder(tx Tx, o *Order, to OrderState) error {
	who := o.Seller
	if to == Refunded {
		who = o.Buyer
	}
	if err := credit(tx, who, int64(o.Amount)); err != nil {
		return err
	}
	o.State, o.Settled = to, m.now()
	return putJSON(tx, bOrder, o.ID, o)
}

// transition changes an order in one transaction after checking who asks
// and its state; a repeat of a done transition is a no-op. A release that
// is due is committed first, so a refused transition does not undo it.
func (m *Market) transition(ctx context.Context, id string, fn func(tx Tx, o *Order) error) error {
	if _, err := m.Order(ctx, id); err != nil {
		return err
	}
	return m.cfg.Store.Update(ctx, func(tx Tx) error {
		var o Order
		if err := must(tx, bOrder, id, &o); err != nil {
			return err
		}
		if err := m.releaseIfDue(tx, &o); err != nil {
			return err
		}
		return fn(tx, &o)
	})
}

// Confirm is the buyer's confirmation of delivery: the seller is credited.
func (m *Market) Confirm(ctx context.Context, buyer, id string) error {
	return m.transition(ctx, id, func(tx Tx, o *Order) error {
		switch {
		case o.Buyer != buyer:
			return ErrNotFound
		case o.State == Released:
			return nil
		case o.State != Escrow:
			return ErrBadState
		}
		return m.settleOrder(tx, o, Released)
	})
}

// Dispute sends an order in escrow to the operator.
func (m *Market) Dispute(ctx context.Context, who, id, reason string) error {
	return m.transition(ctx, id, func(tx Tx, o *Order) error {
		switch {
		case o.Buyer != who && o.Seller != who:
			return ErrNotFound
		case o.State == Disputed:
			return nil
		case o.State != Escrow:
			return ErrBadState
		}
		o.State, o.Dispute = Disputed, reason
		return putJSON(tx, bOrder, o.ID, o)
	})
}

// settleDispute is the operator's decision on a disputed order.
func (m *Market) settleDispute(ctx context.Context, id string, release bool) error {
	to := Refunded
	if release {
		to = Released
	}
	return m.transition(ctx, id, func(tx Tx, o *Order) error {
		if o.State == to {
			return nil
		}
		if o.State != Disputed {
			return ErrBadState
		}
		return m.settleOrder(tx, o, to)
	})
}

// Sweep releases every order whose escrow timed out, erases handed-out
// tokens spent at the mint and replays swaps in flight; the node runs it at start and periodically.
func (m *Market) Sweep(ctx context.Context) error {
	var due []string
	cutoff := m.now().Add(-m.cfg.EscrowTimeout)
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bOrder, "", func(_ string, o *Order) error {
			if o.State == Escrow && !o.Created.After(cutoff) {
				due = append(due, o.ID)
			}
			return nil
		})
	})
	for _, id := range due {
		if err == nil {
			_, err = m.Order(ctx, id)
		}
	}
	if err == nil {
		err = m.dropSessions(ctx)
	}
	if err == nil {
		err = m.pruneHandouts(ctx)
	}
	if err != nil {
		return err
	}
	_, err = m.Recover(ctx)
	return err
}

// Orders lists the orders an account bought or sold.
func (m *Market) Orders(ctx context.Context, who string) ([]Order, error) {
	return m.orders(ctx, func(o *Order) bool { return o.Buyer == who || o.Seller == who })
}

func (m *Market) orders(ctx context.Context, keep func(*Order) bool) ([]Order, error) {
	var out []Order
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return scanJSON(tx, bOrder, "", func(_ string, o *Order) error {
			if keep(o) {
				out = append(out, *o)
			}
			return nil
		})
	})
	return out, err
}

// Run calls Sweep every interval until ctx ends (the node runs it beside
// the handler); errors are left for the next round, since the mint being
// away is what Sweep waits out.
func (m *Market) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		m.Sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
