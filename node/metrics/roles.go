package metrics

import (
	"time"

	"cyclecash/node/service"
)

// The metrics of each role's figures. Counters are cumulative since the
// service started; a gauge is a level now.

// relay exports every counter and gauge the relay reports: a counter
// added to service.RelayFigures is exported without a change here.
func relay(e *emitter, r service.RelayFigures) {
	e.gauge("relay_circuits", "circuits of others through or ending at this node", float64(r.Circuits))
	e.counter("relay_cells", "cells relayed for others", float64(r.Cells))
	e.counter("relay_bytes", "bytes of cells relayed for others", float64(r.Bytes))
	for _, c := range r.Counters {
		e.counter("relay_"+metricName(c.Name), c.Help, float64(c.Value))
	}
	for _, g := range r.Gauges {
		e.gauge("relay_"+metricName(g.Name), g.Help, float64(g.Value))
	}
}

func gateway(e *emitter, g service.GatewayFigures) {
	e.gauge("gateway_jobs", "jobs the gateway holds", float64(g.Jobs))
	e.counter("gateway_tasks", "tasks of the jobs held", float64(g.Tasks))
	e.counter("gateway_tasks_accepted", "tasks whose result was accepted", float64(g.TasksAccepted))
	e.counter("gateway_units_accepted", "units charged to buyers for accepted tasks", float64(g.UnitsAccepted))
	e.gauge("gateway_worker_sessions", "live worker sessions by mode", float64(g.Workers.Open), "mode", "open")
	e.gauge("gateway_worker_sessions", "live worker sessions by mode", float64(g.Workers.Stealth), "mode", "stealth")
	e.gauge("gateway_escrow_jobs", "jobs whose payment is held in escrow", float64(g.Escrow.Jobs))
	e.gauge("gateway_escrow_units", "units held in escrow", float64(g.Escrow.Units))
}

func ledger(e *emitter, l service.LedgerFigures) {
	e.gauge("ledger_capacity_units", "projected capacity of the next 30 days", float64(l.Capacity))
	e.gauge("ledger_daily_cap_units", "today's issuance cap", float64(l.DailyCap))
	e.gauge("ledger_total_cap_units", "cap on units outstanding", float64(l.TotalCap))
	e.gauge("ledger_issued_today_units", "units issued today", float64(l.MintedToday))
	e.gauge("ledger_outstanding_units", "units issued, unexpired and unspent", float64(l.Outstanding))
	for _, d := range l.Days {
		day := d.Day.UTC().Format(time.DateOnly)
		e.gauge("ledger_issued_units", "units issued by issue day", float64(d.Issued), "day", day)
		if !d.Expired {
			e.gauge("ledger_outstanding_by_expiry_units", "units outstanding by expiry day", float64(d.Outstanding),
				"expiry", d.Expires.UTC().Format(time.DateOnly))
		}
	}
}

func worker(e *emitter, w service.WorkerFigures) {
	e.counter("worker_tasks_reported", "tasks run and reported", float64(w.Reported), "mode", w.Mode)
	e.counter("worker_earned_units", "units earned (credit, or minted into the wallet)", float64(w.Earned), "mode", w.Mode)
	e.gauge("worker_credit_units", "credit at the gateway not yet paid out", float64(w.Credit), "mode", w.Mode)
	if w.Mode == "stealth" {
		e.gauge("worker_wallet_units", "units in the wallet", float64(w.Balance))
		e.gauge("worker_wallet_pending_quotes", "payout quotes not yet minted", float64(w.Pending))
		for _, x := range w.Wallet {
			e.gauge("worker_wallet_expiring_units", "wallet units by expiry day", float64(x.Units),
				"expiry", x.Expires.UTC().Format(time.DateOnly))
		}
	}
}

func market(e *emitter, m service.MarketFigures) {
	e.counter("market_orders", "orders placed", float64(m.OrdersTotal))
	for state, n := range m.Orders {
		e.gauge("market_orders_by_state", "orders now by state", float64(n), "state", state)
	}
	e.gauge("market_escrow_units", "units of orders in escrow or disputed", float64(m.InEscrow))
	e.gauge("market_cash_out_queue", "sell-for-cash requests awaiting the operator", float64(m.CashOutQueue))
	e.gauge("market_cash_out_queue_units", "units of sell-for-cash requests awaiting the operator", float64(m.CashOutUnits))
	e.gauge("market_cash_in_queue", "buy-for-cash requests awaiting the operator", float64(m.CashInQueue))
	e.gauge("market_held_units", "units of the proofs the market holds", float64(m.Held))
	e.gauge("market_owed_units", "units owed to accounts", float64(m.Owed))
	e.counter("market_sold_for_cash_units", "units users sold for cash, settled", float64(m.SoldForCash))
	e.counter("market_bought_for_cash_units", "units users bought for cash, settled", float64(m.BoughtForCash))
}
