package dashboard

import (
	"slices"
	"time"

	"cyclecash/node/service"
)

// section is one role's part of the page: its charts, drawn from the
// samples and the figures now.
type section struct {
	ID     string
	Title  string
	Charts []chart
}

// sections are the parts of the page for the figures reported: a role
// the node does not play reports none and gets no section (a stealth
// worker relays nothing: no relay charts).
//
// Rates come from the ring's samples only (an interval shorter than a tick
// would give a noisy rate); levels end with the figures read now.
func sections(figs map[string]any, ss []sample, now time.Time) []section {
	lv := append(slices.Clip(ss), sample{At: now, V: values(figs)})
	var out []section
	if g, ok := figs[service.FiguresGateway].(service.GatewayFigures); ok {
		l, _ := figs[service.FiguresLedger].(service.LedgerFigures)
		out = append(out, gatewaySection(g, l, ss, lv))
	}
	if w, ok := figs[service.FiguresWorker].(service.WorkerFigures); ok {
		out = append(out, workerSection(w, ss, lv))
	}
	if m, ok := figs[service.FiguresMarket].(service.MarketFigures); ok {
		out = append(out, marketSection(m, ss, lv))
	}
	if r, ok := figs[service.FiguresRelay].(service.RelayFigures); ok {
		out = append(out, relaySection(r, ss, lv))
	}
	return out
}

func gatewaySection(g service.GatewayFigures, l service.LedgerFigures, ss, lv []sample) section {
	var issued, outstanding []category
	for _, d := range l.Days {
		issued = append(issued, category{dayLabel(d.Day), float64(d.Issued)})
		if !d.Expired && d.Outstanding > 0 {
			outstanding = append(outstanding, category{dayLabel(d.Expires), float64(d.Outstanding)})
		}
	}
	return section{ID: "gateway", Title: "Gateway", Charts: []chart{
		barChart("issuance", "units issued per day against today's daily cap", "units", "issue day (UTC)",
			issued, float64(l.DailyCap), "daily cap", count),
		barChart("outstanding", "outstanding units by expiry day", "units", "expiry day (UTC)",
			outstanding, -1, "", count),
		lineChart("tasks-rate", "tasks accepted per minute", "tasks / min",
			rate(ss, "gateway.accepted", time.Minute), perUnit),
		barChart("workers", "worker sessions by mode, now", "sessions", "mode",
			[]category{{"open", float64(g.Workers.Open)}, {"stealth", float64(g.Workers.Stealth)}}, -1, "", count),
		lineChart("escrow", "units held in escrow for running jobs", "units",
			level(lv, "gateway.escrow"), count),
	}}
}

func workerSection(w service.WorkerFigures, ss, lv []sample) section {
	s := section{ID: "worker", Title: "Worker (" + w.Mode + " mode)", Charts: []chart{
		lineChart("worker-tasks", "tasks run and reported per minute", "tasks / min",
			rate(ss, "worker.tasks", time.Minute), perUnit),
		lineChart("earnings", "units earned per minute", "units / min",
			rate(ss, "worker.earned", time.Minute), perUnit),
	}}
	if w.Mode == "stealth" {
		var cats []category
		for _, e := range w.Wallet {
			cats = append(cats, category{dayLabel(e.Expires), float64(e.Units)})
		}
		s.Charts = append(s.Charts, barChart("wallet-expiry", "wallet balance by expiry day", "units",
			"expiry day (UTC)", cats, -1, "", count))
	} else {
		s.Charts = append(s.Charts, lineChart("credit", "account credit at the gateway", "units",
			level(lv, "worker.credit"), count))
	}
	return s
}

func marketSection(m service.MarketFigures, ss, lv []sample) section {
	states := make([]string, 0, len(m.Orders))
	for k := range m.Orders {
		states = append(states, k)
	}
	slices.Sort(states)
	var cats []category
	for _, k := range states {
		cats = append(cats, category{k, float64(m.Orders[k])})
	}
	return section{ID: "market", Title: "Market", Charts: []chart{
		lineChart("orders-rate", "orders placed per minute", "orders / min",
			rate(ss, "market.orders", time.Minute), perUnit),
		barChart("orders", "orders by state, now", "orders", "state", cats, -1, "", count),
		lineChart("market-escrow", "units in escrow", "units", level(lv, "market.escrow"), count),
		lineChart("cashout", "cash-out queue: sell requests awaiting the operator", "requests",
			level(lv, "market.cashout"), count),
	}}
}

// relaySection plots every counter the relay reports as a rate and every
// gauge as a level: a counter added to service.RelayFigures gets its
// chart here without a change.
func relaySection(r service.RelayFigures, ss, lv []sample) section {
	s := section{ID: "relay", Title: "Relay", Charts: []chart{
		lineChart("cells-rate", "cells relayed for others per second", "cells / s",
			rate(ss, "relay.cells", time.Second), perUnit),
		lineChart("relay-bytes", "bytes relayed for others per second", "bytes / s",
			rate(ss, "relay.bytes", time.Second), humanBytes),
		lineChart("relay-circuits", "circuits of others through this node", "circuits",
			level(lv, "relay.circuits"), count),
	}}
	for _, c := range r.Counters {
		s.Charts = append(s.Charts, lineChart("relay-"+c.Name, c.Help+", per minute", "per min",
			rate(ss, "relay.c."+c.Name, time.Minute), perUnit))
	}
	for _, g := range r.Gauges {
		s.Charts = append(s.Charts, lineChart("relay-"+g.Name, g.Help+", now", "count",
			level(lv, "relay.g."+g.Name), count))
	}
	return s
}
