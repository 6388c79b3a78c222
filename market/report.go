package market

import "context"

// Totals are B's books. Held always equals Owed + Operator + InEscrow +
// OpenSell + InFlight: every unit the market holds is owed to someone.
type Totals struct {
	Held          uint64 // units of the proofs the market holds
	Owed          uint64 // balances of accounts (owed to sellers and buyers)
	Operator      uint64 // B's own units (bought from users for cash)
	InEscrow      uint64 // orders in escrow or disputed
	OpenSell      uint64 // sell-for-cash requests awaiting the operator
	InFlight      uint64 // withdrawals whose swap has not completed
	SoldForCash   uint64 // units users sold to B for cash (settled)
	BoughtForCash uint64 // units users bought from B for cash (settled)
	Claims        int    // swaps in flight
}

// Report computes the totals in one snapshot.
func (m *Market) Report(ctx context.Context) (Totals, error) {
	var t Totals
	err := m.cfg.Store.View(ctx, func(tx Tx) error {
		return sumAll(tx, &t)
	})
	return t, err
}

func sumAll(tx Tx, t *Totals) error {
	scans := []func() error{
		func() error {
			return scanJSON(tx, bProof, "", func(_ string, p *Proof) error { t.Held += p.Amount; return nil })
		},
		func() error {
			return scanJSON(tx, bAccount, "", func(k string, a *Account) error {
				if k == operatorAccount {
					t.Operator += a.Balance
				} else {
					t.Owed += a.Balance
				}
				return nil
			})
		},
		func() error {
			return scanJSON(tx, bOrder, "", func(_ string, o *Order) error {
				if o.State == Escrow || o.State == Disputed {
					t.InEscrow += o.Amount
				}
				return nil
			})
		},
		func() error {
			return scanJSON(tx, bSell, "", func(_ string, s *SellRequest) error {
				switch s.State {
				case CashOpen:
					t.OpenSell += s.Amount
				case CashPaid:
					t.SoldForCash += s.Amount
				}
				return nil
			})
		},
		func() error {
			return scanJSON(tx, bBuyReq, "", func(_ string, b *BuyRequest) error {
				if b.State == CashPaid {
					t.BoughtForCash += b.Amount
				}
				return nil
			})
		},
		func() error {
			return scanJSON(tx, bClaim, "", func(_ string, c *Claim) error {
				t.Claims++
				if c.Withdraw != nil {
					t.InFlight += c.Withdraw.Amount
				}
				return nil
			})
		},
	}
	for _, s := range scans {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}
