package node

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"cyclecash/compute"
)

// The dashboard: a local web page per node, served by the control API at
// "/" (dashboard_page.go renders it) and as JSON at /v1/dashboard. It shows
// the node's own view only: its peer ID, roles, directory, guards (by peer
// ID), circuits (by hop count), traffic, tasks and earnings. It never names
// a network address, this node's or a peer's.

// Dashboard is everything the page shows.
type Dashboard struct {
	Peer      string          `json:"peer"`
	Roles     []string        `json:"roles"`
	Uptime    string          `json:"uptime"`
	Directory int             `json:"directory"`
	Guards    []GuardStatus   `json:"guards"`
	Circuits  []CircuitStatus `json:"circuits"`
	Traffic   []Traffic       `json:"traffic"` // oldest first, the last taken now
	Gateway   *GatewayFigures `json:"gateway,omitempty"`
	Worker    *WorkerFigures  `json:"worker,omitempty"`
}

// GatewayFigures are a gateway's jobs and the work it accepted.
type GatewayFigures struct {
	Jobs          int    `json:"jobs"`
	Tasks         int    `json:"tasks"`
	TasksAccepted int    `json:"tasks_accepted"`
	UnitsAccepted uint64 `json:"units_accepted"` // what buyers were charged
}

// WorkerFigures are a worker's tasks and earnings. Credit comes from the
// gateway (open mode); Balance is the wallet (stealth mode).
type WorkerFigures struct {
	Mode     string `json:"mode"`
	Reported int64  `json:"tasks_reported"` // tasks run and reported since start
	Credit   uint64 `json:"credit"`
	Paid     int    `json:"paid_quotes"`
	Balance  uint64 `json:"wallet_balance"`
	Pending  int    `json:"wallet_pending"`
	Err      string `json:"error,omitempty"` // the gateway could not be asked
}

// dashboard holds the state behind the page: the traffic meter and the
// count of tasks this worker reported.
type dashboard struct {
	n        *Node
	meter    *trafficMeter
	reported atomic.Int64
}

// registerDashboard adds the page and its JSON to the control API and
// starts the traffic sampler; the returned func stops it.
func (n *Node) registerDashboard(mux *http.ServeMux) (stop func()) {
	d := &dashboard{n: n, meter: newTrafficMeter(n)}
	d.countTasks()
	mux.HandleFunc("GET /{$}", d.servePage)
	mux.HandleFunc("GET /v1/dashboard", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, d.collect(r.Context()))
	})
	done := make(chan struct{})
	go d.meter.run(done)
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// countTasks chains onto the worker's stage hook before the worker runs
// (serveAPI precedes compute.run): each "complete" is one task reported.
func (d *dashboard) countTasks() {
	wk := d.n.compute.wk
	if wk == nil {
		return
	}
	prev := wk.cfg.Observe
	wk.cfg.Observe = func(stage string, took time.Duration) {
		if stage == "complete" {
			d.reported.Add(1)
		}
		if prev != nil {
			prev(stage, took)
		}
	}
}

// collect gathers the page's figures now.
func (d *dashboard) collect(ctx context.Context) Dashboard {
	st := d.n.Status()
	db := Dashboard{Peer: st.Peer, Roles: st.Roles, Uptime: st.Uptime, Directory: st.Directory,
		Guards: st.Guards, Circuits: st.Circuits, Traffic: d.meter.samples(time.Now())}
	db.Gateway = d.gatewayFigures()
	db.Worker = d.workerFigures(ctx)
	return db
}

// gatewayFigures sums the gateway's jobs from its store; nil off gateways.
func (d *dashboard) gatewayFigures() *GatewayFigures {
	gw := d.n.compute.gw
	if gw == nil {
		return nil
	}
	var ids []string
	_ = gw.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableJobMeta, "", func(key string, _ []byte) error {
			ids = append(ids, key)
			return nil
		})
	})
	f := &GatewayFigures{}
	for _, id := range ids {
		if j, err := gw.queue.Job(id); err == nil {
			f.Jobs++
			f.Tasks += j.Tasks
			f.TasksAccepted += j.Accepted
			f.UnitsAccepted += j.Units
		}
	}
	return f
}

// workerFigures asks the gateway for the account (briefly: a stealth
// worker asks through a circuit) and reads the wallet; nil off workers.
func (d *dashboard) workerFigures(ctx context.Context) *WorkerFigures {
	wk := d.n.compute.wk
	if wk == nil {
		return nil
	}
	f := &WorkerFigures{Mode: wk.cfg.Mode, Reported: d.reported.Load()}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if acct, err := d.n.WorkerAccount(ctx); err != nil {
		f.Err = "gateway not reachable just now"
	} else {
		f.Credit, f.Paid = acct.Credit, len(acct.Paid)
	}
	f.Balance, f.Pending, _ = d.n.WorkerWallet()
	return f
}

// Dashboard fetches the node's dashboard figures.
func (c *Client) Dashboard(ctx context.Context) (*Dashboard, error) {
	var d Dashboard
	return &d, c.get(ctx, "/v1/dashboard", &d)
}
