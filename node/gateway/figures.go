package gateway

import (
	"cyclecash/compute"
	"cyclecash/node/service"
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
	return f
}
