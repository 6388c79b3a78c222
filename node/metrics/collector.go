package metrics

import (
	"context"
	"strings"
	"time"

	"cyclecash/node/service"

	"github.com/prometheus/client_golang/prometheus"
)

// namespace prefixes every metric.
const namespace = "cyclecash"

// collector reads the figures at each scrape. It describes nothing in
// advance (an unchecked collector): which metrics exist depends on the
// roles that report figures, and on the relay's counters.
type collector struct {
	read func(context.Context) map[string]any
}

func (c *collector) Describe(chan<- *prometheus.Desc) {}

// scrapeTimeout bounds the figures' reading (a worker's asks its gateway).
const scrapeTimeout = 5 * time.Second

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	e := emitter{ch: ch}
	figs := c.read(ctx)
	if n, ok := figs[service.FiguresNode].(service.NodeFigures); ok {
		e.gauge("node_directory_relays", "relays in this node's directory", float64(n.Directory))
		e.gauge("node_circuits", "this node's open client circuits", float64(len(n.Circuits)))
	}
	if r, ok := figs[service.FiguresRelay].(service.RelayFigures); ok {
		relay(&e, r)
	}
	if g, ok := figs[service.FiguresGateway].(service.GatewayFigures); ok {
		gateway(&e, g)
	}
	if l, ok := figs[service.FiguresLedger].(service.LedgerFigures); ok {
		ledger(&e, l)
	}
	if w, ok := figs[service.FiguresWorker].(service.WorkerFigures); ok {
		worker(&e, w)
	}
	if m, ok := figs[service.FiguresMarket].(service.MarketFigures); ok {
		market(&e, m)
	}
}

// emitter sends const metrics; a name that is not a valid metric name
// (a reporter's mistake) is skipped, not a panic mid-scrape.
type emitter struct {
	ch chan<- prometheus.Metric
}

func (e *emitter) emit(t prometheus.ValueType, name, help string, v float64, labels ...string) {
	var keys, vals []string
	for i := 0; i+1 < len(labels); i += 2 {
		keys, vals = append(keys, labels[i]), append(vals, labels[i+1])
	}
	m, err := prometheus.NewConstMetric(prometheus.NewDesc(namespace+"_"+name, help, keys, nil), t, v, vals...)
	if err == nil {
		e.ch <- m
	}
}

func (e *emitter) gauge(name, help string, v float64, labels ...string) {
	e.emit(prometheus.GaugeValue, name, help, v, labels...)
}

func (e *emitter) counter(name, help string, v float64, labels ...string) {
	e.emit(prometheus.CounterValue, name+"_total", help, v, labels...)
}

// metricName keeps a reporter's counter name to [a-z0-9_].
func metricName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, s)
}
