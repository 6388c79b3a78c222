package dashboard

import (
	"cyclecash/node/service"
)

// values flattens the figures into the sampled series: counters
// (cumulative, plotted as rates) and gauges (levels), by key. A role the
// node does not play reports nothing, so it has no series and no chart.
func values(figs map[string]any) map[string]float64 {
	v := map[string]float64{}
	if r, ok := figs[service.FiguresRelay].(service.RelayFigures); ok {
		v["relay.cells"], v["relay.bytes"], v["relay.circuits"] = float64(r.Cells), float64(r.Bytes), float64(r.Circuits)
		for _, c := range r.Counters {
			v["relay.c."+c.Name] = float64(c.Value)
		}
		for _, g := range r.Gauges {
			v["relay.g."+g.Name] = float64(g.Value)
		}
	}
	if g, ok := figs[service.FiguresGateway].(service.GatewayFigures); ok {
		v["gateway.tasks"], v["gateway.accepted"] = float64(g.Tasks), float64(g.TasksAccepted)
		v["gateway.units"] = float64(g.UnitsAccepted)
		v["gateway.escrow"], v["gateway.escrow_jobs"] = float64(g.Escrow.Units), float64(g.Escrow.Jobs)
	}
	if l, ok := figs[service.FiguresLedger].(service.LedgerFigures); ok {
		v["ledger.outstanding"] = float64(l.Outstanding)
	}
	if w, ok := figs[service.FiguresWorker].(service.WorkerFigures); ok {
		v["worker.tasks"], v["worker.earned"] = float64(w.Reported), float64(w.Earned)
		v["worker.balance"], v["worker.credit"] = float64(w.Balance), float64(w.Credit)
	}
	if m, ok := figs[service.FiguresMarket].(service.MarketFigures); ok {
		v["market.orders"], v["market.escrow"] = float64(m.OrdersTotal), float64(m.InEscrow)
		v["market.cashout"], v["market.cashout_units"] = float64(m.CashOutQueue), float64(m.CashOutUnits)
	}
	return v
}
