package node

import (
	"fmt"

	"cyclecash/node/metrics"
)

// startMetrics binds the Prometheus metrics server of config key metrics
// (flag --metrics): opt-in, loopback only. It exports the figures the
// services report, the dashboard's.
func (n *Node) startMetrics() error {
	if n.cfg.Metrics == "" {
		return nil
	}
	m, err := metrics.Listen(n.host, n.cfg.Metrics)
	if err != nil {
		return fmt.Errorf("node: config: metrics: %w", err)
	}
	n.add(m)
	n.log.Info("metrics serving", "path", metrics.Path)
	return nil
}

// MetricsAddr is the bound metrics address, or "" when none is served.
func (n *Node) MetricsAddr() string {
	if m := find[*metrics.Server](n); m != nil {
		return m.Addr()
	}
	return ""
}
