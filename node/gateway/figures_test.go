package gateway

import (
	"context"
	"testing"

	"cyclecash/node/service"
	"cyclecash/node/work"
	"cyclecash/node/worker"
)

// TestFiguresEscrowAndWorkers: the gateway's figures count the payment
// held for a job until its escrow is settled, and the live worker
// sessions by mode.
func TestFiguresEscrowAndWorkers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	r.submit(ctx, "job-1", r.tokens(ctx, 40), 2)
	f := r.g.figures()
	if f.Escrow.Jobs != 1 || f.Escrow.Units != 40 {
		t.Fatalf("escrow %+v, want 1 job of 40 units", f.Escrow)
	}
	if err := r.g.queue.Cancel("job-1"); err != nil {
		t.Fatal(err)
	}
	r.g.settleFinished(ctx)
	if e := r.g.figures().Escrow; e.Jobs != 0 || e.Units != 0 {
		t.Fatalf("escrow after settling %+v", e)
	}

	n, gw := seamNet(t)
	for _, mode := range []string{work.WorkerOpen, work.WorkerStealth, work.WorkerStealth} {
		w, err := worker.New(n.NewHost("w", "worker", t.TempDir()), work.Config{Mode: mode}.WithDefaults(false), worker.Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Account(ctx); err != nil {
			t.Fatal(err)
		}
	}
	g := gw.Figures(ctx)[service.FiguresGateway].(service.GatewayFigures)
	if g.Workers != (service.WorkerSessions{Open: 1, Stealth: 2}) {
		t.Fatalf("workers %+v, want 1 open and 2 stealth", g.Workers)
	}
}
