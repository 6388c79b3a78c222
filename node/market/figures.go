package market

import (
	"context"

	"cyclecash/market"
	"cyclecash/node/service"
)

// figures are the market's books for the dashboard and the metrics
// (service.FiguresMarket), read in three snapshots; a read that fails
// reports nil rather than figures that disagree with the store.
func (s *Service) figures(ctx context.Context) any {
	op := s.m.Operator()
	t, err := op.Report(ctx)
	if err != nil {
		return nil
	}
	orders, err := op.Orders(ctx, false)
	if err != nil {
		return nil
	}
	sell, buy, err := op.CashoutList(ctx)
	if err != nil {
		return nil
	}
	f := service.MarketFigures{OrdersTotal: uint64(len(orders)), Orders: map[string]int{},
		InEscrow: t.InEscrow, Held: t.Held, Owed: t.Owed, SoldForCash: t.SoldForCash, BoughtForCash: t.BoughtForCash}
	for _, o := range orders {
		f.Orders[string(o.State)]++
	}
	for _, r := range sell {
		if r.State == market.CashOpen {
			f.CashOutQueue++
			f.CashOutUnits += r.Amount
		}
	}
	for _, r := range buy {
		if r.State == market.CashOpen {
			f.CashInQueue++
		}
	}
	return f
}
