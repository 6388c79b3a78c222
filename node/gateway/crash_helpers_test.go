package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// errCrash stands for the gateway dying at a crash point.
var errCrash = errors.New("test: crashed")

// crashRig is a gateway whose compute store (a bbolt file) and ledger
// survive restarts, as they would on disk.
type crashRig struct {
	t      *testing.T
	cfg    Config
	ledger ledger.Store
	mint   *ledger.Mint
	g      *Gateway
	held   map[string][]*compute.Assignment // leases handed out ahead of their accept
	rand   func() float64                   // the queue's draws; nil: no spot checks
	secret map[string]string                // job ID -> its secret
	now    func() time.Time                 // the gateway's and the mint's clock; nil: time.Now
	cap    uint64                           // the mint's Ĉ; 0: 2^20
}

func newCrashRig(t *testing.T) *crashRig {
	return newRig(t, Config{DataDir: t.TempDir()}, ledger.NewMemStore())
}

// newRig starts a gateway of configuration cfg over the ledger store ls.
func newRig(t *testing.T, cfg Config, ls ledger.Store) *crashRig {
	return newRigRand(t, cfg, ls, nil)
}

// newRigRand is newRig with the queue drawing from draw.
func newRigRand(t *testing.T, cfg Config, ls ledger.Store, draw func() float64) *crashRig {
	cfg.Floor = 1 << 20
	r := &crashRig{t: t, cfg: cfg, ledger: ls, rand: draw}
	r.restart(nil)
	t.Cleanup(func() {
		if r.g != nil {
			r.g.Close()
		}
	})
	return r
}

// restart stops the gateway (if running) and starts a fresh one over the
// same stores, crashing at step when crashAt names one.
func (r *crashRig) restart(crashAt map[string]bool) {
	r.t.Helper()
	if r.g != nil {
		r.g.Close()
	}
	g, err := Open(r.cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		r.t.Fatal(err)
	}
	master := make([]byte, 32)
	capacity := r.cap
	if capacity == 0 {
		capacity = 1 << 20
	}
	r.mint, err = ledger.New(ledger.Config{Master: master, CapacityUnits: capacity, Now: r.now}, r.ledger)
	if err != nil {
		r.t.Fatal(err)
	}
	g.mint = r.mint
	draw := r.rand
	if draw == nil {
		draw = func() float64 { return 0.5 } // above MinSpotCheck: no spot checks
	}
	if r.now != nil {
		g.now = r.now
	}
	g.queue = compute.NewQueue(g.store, compute.QueueConfig{LeaseGrace: r.cfg.LeaseGrace, Logger: g.log, Rand: draw,
		Now: func() time.Time { return g.now() }})
	g.crash = func(step string) error {
		if crashAt[step] {
			return errCrash
		}
		return nil
	}
	r.g = g
}

// tokens mints a token of amount units, paid in cash.
func (r *crashRig) tokens(ctx context.Context, amount uint64) string {
	r.t.Helper()
	q, err := r.mint.CreateQuote(ctx, amount, ledger.Unit)
	if err == nil {
		_, err = r.mint.PayQuote(ctx, q.ID, "cash")
	}
	ks, _ := r.mint.ActiveKeyset()
	plan, _ := newPlan(ks.ID, amount, 0)
	var sigs ledger.Signatures
	if err == nil {
		sigs, err = r.mint.MintTokens(ctx, ledger.MintRequest{Quote: q.ID, Outputs: plan.Outputs})
	}
	tok := ""
	if err == nil {
		tok, err = unblindChange(ks, plan, sigs)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return tok
}

// submit queues a job of tasks paid with tok, as handleSubmit does
// (without a module: the test's workers run nothing).
func (r *crashRig) submit(ctx context.Context, id, tok string, tasks int) {
	r.t.Helper()
	if err := r.trySubmit(ctx, id, tok, tasks); err != nil {
		r.t.Fatal(err)
	}
}

// trySubmit is submit returning its error.
func (r *crashRig) trySubmit(ctx context.Context, id, tok string, tasks int) error {
	return r.submitR(ctx, id, tok, tasks, 2)
}

// submitR is trySubmit with replication repl.
func (r *crashRig) submitR(ctx context.Context, id, tok string, tasks, repl int) error {
	m := &compute.Manifest{Version: compute.ManifestVersion, Module: compute.ModuleHash([]byte("m")),
		UnitsPerTask: 10, Replication: repl, TaskTimeoutMS: 60_000, DeadlineUnix: r.g.now().Add(time.Hour).Unix()}
	for range tasks {
		m.Inputs = append(m.Inputs, []byte("x"))
	}
	res, err := r.g.reserve(ctx, id, []string{tok}, m.Budget())
	if err == nil {
		secret, hash := newJobSecret()
		if r.secret == nil {
			r.secret = map[string]string{}
		}
		r.secret[id] = secret
		meta := jobMeta{Reservation: res.ID, Reserved: res.Amount, Keyset: res.Keyset, SecretHash: hash}
		err = r.g.store.Update(func(tx compute.Tx) error { return putJSON(tx, tableJobMeta, id, meta) })
	}
	if err == nil {
		err = r.g.queue.Submit(id, m)
	}
	return err
}

// accept has an open and a stealth worker agree on a task, the stealth one
// sending a quote for its pay, as handleComplete records it. It returns the
// task's index and the quote.
func (r *crashRig) accept(ctx context.Context, open, stealth string, fuel int64) (int, string) {
	r.t.Helper()
	q, err := r.lockedQuote(ctx, compute.UnitsFor(fuel, 10))
	if err != nil {
		r.t.Fatal(err)
	}
	return r.acceptQuote(open, stealth, fuel, q.ID), q.ID
}

// acceptQuote is accept with the stealth worker sending quote.
func (r *crashRig) acceptQuote(open, stealth string, fuel int64, quote string) int {
	r.t.Helper()
	if err := r.g.enrol(stealth, work.WorkerStealth); err != nil {
		r.t.Fatal(err)
	}
	var err error
	res := compute.Result{Status: compute.StatusOK, Output: []byte("42"), FuelUsed: fuel}
	first := r.lease(open, nil)
	var state compute.TaskState
	for _, a := range []*compute.Assignment{first, r.lease(stealth, &first.Lease)} {
		if a.Lease.Worker == stealth {
			err = r.g.store.Update(func(tx compute.Tx) error {
				return r.g.recordOffer(tx, a.Lease.Job, a.Lease.Task, stealth, quote)
			})
		}
		if err == nil {
			state, err = r.g.queue.Complete(a.Lease, res)
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
	if state != compute.TaskAccepted {
		r.t.Fatalf("task %d %v, want accepted", first.Lease.Task, state)
	}
	return first.Lease.Task
}

// lease gives worker a replica of the task of want (any task when nil):
// one it was handed earlier, else new leases until the queue hands it that
// task. The queue holds a task back from the ask right after its last
// lease (so one operator asking twice never holds two replicas), so the
// second worker may first be handed another task; that lease is kept for
// a later accept.
func (r *crashRig) lease(worker string, want *compute.Lease) *compute.Assignment {
	r.t.Helper()
	match := func(a *compute.Assignment) bool {
		return want == nil || a.Lease.Job == want.Job && a.Lease.Task == want.Task
	}
	for i, a := range r.held[worker] {
		if match(a) {
			r.held[worker] = slices.Delete(r.held[worker], i, i+1)
			return a
		}
	}
	for range 4 {
		a, err := r.g.queue.Lease(worker)
		if err != nil {
			r.t.Fatalf("lease %s: %v", worker, err)
		}
		if a == nil {
			continue // the held-back ask: the next one may take it
		}
		if match(a) {
			return a
		}
		if r.held == nil {
			r.held = map[string][]*compute.Assignment{}
		}
		r.held[worker] = append(r.held[worker], a)
	}
	r.t.Fatalf("lease %s: never handed the task of %+v", worker, want)
	return nil
}

func (r *crashRig) account(worker string) work.Account {
	r.t.Helper()
	a := work.Account{Worker: worker}
	if err := r.g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableCredits, worker, &a); return err }); err != nil {
		r.t.Fatal(err)
	}
	return a
}

func (r *crashRig) meta(id string) jobMeta {
	r.t.Helper()
	var m jobMeta
	if err := r.g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableJobMeta, id, &m); return err }); err != nil {
		r.t.Fatal(err)
	}
	return m
}

// proofStates counts a token's units by state at the rig's mint.
func (r *crashRig) proofStates(ctx context.Context, tok string) map[ledger.State]uint64 {
	r.t.Helper()
	t, err := ledger.DecodeToken(tok)
	if err != nil {
		r.t.Fatal(err)
	}
	ys := make([]ledger.Point, len(t.Proofs))
	for i, p := range t.Proofs {
		ys[i], _ = p.Y()
	}
	states, err := r.mint.CheckState(ctx, ys)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[ledger.State]uint64{}
	for i, s := range states {
		out[s.State] += t.Proofs[i].Amount
	}
	return out
}

// lockedQuote is a stealth worker's payout quote: locked (NUT-20) to a
// fresh key; the key is dropped, since the tests never mint it.
func (r *crashRig) lockedQuote(ctx context.Context, amount uint64) (ledger.Quote, error) {
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		return ledger.Quote{}, err
	}
	pub := ledger.PointOf(k.PubKey())
	return r.mint.CreateLockedQuote(ctx, amount, ledger.Unit, &pub)
}

// meterTotal is the capacity meter summed over every day: the tests read
// it whatever UTC day the units were counted on (a run across midnight
// counts them on two).
func meterTotal(t *testing.T, g *Gateway) uint64 {
	t.Helper()
	var total uint64
	err := g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableCapacity, "", func(_ string, b []byte) error {
			var u uint64
			if err := json.Unmarshal(b, &u); err != nil {
				return err
			}
			total += u
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
