package gateway

import (
	"fmt"
	"net/http"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// A worker's identity is compute.WorkerID of its key, whatever its mode:
// one key is one worker, so it never holds two replicas of a task (the
// queue refuses a second replica to one ID) and a Sybil needs a key per
// vote. The first lease of a key fixes its mode (tableWorkers, written
// only then, so registrations that never work leave no record);
// registering or leasing it later in the other mode is refused, since an
// open account and a stealth session must never share an ID (the open
// one is paid in statements, the stealth one in tokens).

// modeKey carries the session's mode in a request's context (authed).
type modeKey struct{}

func modeOf(r *http.Request) string { s, _ := r.Context().Value(modeKey{}).(string); return s }

// checkMode refuses worker in mode if its key is recorded in the other.
func (g *Gateway) checkMode(worker, mode string) error {
	var had string
	err := g.store.View(func(tx compute.Tx) error { _, err := getJSON(tx, tableWorkers, worker, &had); return err })
	if err == nil && had != "" && had != mode {
		err = fmt.Errorf("%w: this key is registered as a %s worker", work.ErrUnauthorized, had)
	}
	return err
}

// enrol records worker's mode on its first lease and refuses a lease in
// another mode.
func (g *Gateway) enrol(worker, mode string) error {
	return g.store.Update(func(tx compute.Tx) error {
		var had string
		ok, err := getJSON(tx, tableWorkers, worker, &had)
		switch {
		case err != nil:
			return err
		case ok && had != mode:
			return fmt.Errorf("%w: this key is registered as a %s worker", work.ErrUnauthorized, had)
		case ok:
			return nil
		}
		return putJSON(tx, tableWorkers, worker, mode)
	})
}

// stealth reports whether worker registered as a stealth worker.
func (g *Gateway) stealth(tx compute.Tx, worker string) (bool, error) {
	var mode string
	_, err := getJSON(tx, tableWorkers, worker, &mode)
	return mode == work.WorkerStealth, err
}

// isStealth is stealth in its own read transaction.
func (g *Gateway) isStealth(worker string) (bool, error) {
	var s bool
	err := g.store.View(func(tx compute.Tx) (err error) { s, err = g.stealth(tx, worker); return err })
	return s, err
}
