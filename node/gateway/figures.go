package gateway

import (
	"cyclecash/compute"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// figures sums the gateway's jobs from its own store for the dashboard.
func (g *Gateway) figures() service.GatewayFigures {
	var ids []string
	_ = g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableJobMeta, "", func(key string, _ []byte) error {
			ids = append(ids, key)
			return nil
		})
	})
	var f service.GatewayFigures
	for _, id := range ids {
		if j, err := g.queue.Job(id); err == nil {
			f.Jobs++
			f.Tasks += j.Tasks
			f.TasksAccepted += j.Accepted
			f.UnitsAccepted += j.Units
		}
	}
	f.Workers = g.sessionsByMode()
	f.Escrow = g.escrowHeld()
	return f
}

// sessionsByMode counts the live worker sessions by the mode each
// registered with (register).
func (g *Gateway) sessionsByMode() service.WorkerSessions {
	var w service.WorkerSessions
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.sessions {
		switch s.mode {
		case work.WorkerOpen:
			w.Open++
		case work.WorkerStealth:
			w.Stealth++
		}
	}
	return w
}

// escrowHeld sums the reservations of the jobs not yet settled.
func (g *Gateway) escrowHeld() service.Escrow {
	var e service.Escrow
	_ = g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableJobMeta, "", func(id string, _ []byte) error {
			var m jobMeta
			if ok, err := getJSON(tx, tableJobMeta, id, &m); err == nil && ok && !m.Settled {
				e.Jobs++
				e.Units += m.Reserved
			}
			return nil
		})
	})
	return e
}
