package market

// What each kind of claim reserves, undoes on a refusal and commits on
// success. Each runs inside one store transaction.

// undoClaim reverses what the claim's transaction reserved and forgets the
// claim, so the same token may be tried again.
func undoClaim(tx Tx, c *Claim) error {
	var cur Claim
	if ok, err := getJSON(tx, bClaim, c.ID, &cur); err != nil || !ok {
		return err
	}
	for _, y := range c.Ys {
		if err := tx.Delete(bClaimedY, y); err != nil {
			return err
		}
	}
	var err error
	switch c.Kind {
	case kindOrder:
		err = restock(tx, c.Order.Listing, c.Order.Qty)
	case kindWithdraw:
		err = undoWithdraw(tx, c)
	}
	if err != nil {
		return err
	}
	return tx.Delete(bClaim, c.ID)
}

// commitClaim records the claim's purpose; token holds the outputs that
// are not the market's, as a cashuB token.
func (m *Market) commitClaim(tx Tx, c *Claim, mine []Proof, token string) error {
	var err error
	switch c.Kind {
	case kindOrder:
		o := *c.Order
		o.Change = token
		err = putJSON(tx, bOrder, o.ID, o)
	case kindSell:
		s := *c.Sell
		s.Change = token
		err = putJSON(tx, bSell, s.ID, s)
	case kindWithdraw:
		w := *c.Withdraw
		w.Token = token
		err = putJSON(tx, bWithdraw, w.ID, w)
	}
	if err != nil {
		return err
	}
	return tx.Delete(bClaim, c.ID)
}

func restock(tx Tx, listing string, qty uint64) error {
	var l Listing
	if err := must(tx, bListing, listing, &l); err != nil {
		return err
	}
	l.Quantity += qty
	return putJSON(tx, bListing, listing, l)
}

func undoWithdraw(tx Tx, c *Claim) error {
	for _, p := range c.Held {
		if err := holdProof(tx, p); err != nil {
			return err
		}
	}
	return credit(tx, c.Withdraw.Account, int64(c.Withdraw.Amount))
}
