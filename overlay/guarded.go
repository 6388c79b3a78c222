package overlay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// BuildGuarded builds a circuit for req through the first usable primary
// guard of g, on a fresh path from sel. It reports every outcome to g: a
// guard this node could not reach is skipped for a while and the next
// primary is tried (guard-spec §4.6: a lower primary is used only while
// the earlier ones are unreachable), a circuit that failed further on
// counts against the guard's path bias only (never against a relay
// another hop named) and ends the attempt, so that the caller's retry goes
// through the same guard again; a built circuit confirms the guard. When
// no guard is usable it fails with an error wrapping ErrNoGuard, and
// callers retry later with backoff: there is no unguarded fallback. A
// guard set aside by path bias is logged at warning level for the user.
func (o *Onion) BuildGuarded(ctx context.Context, g *Guards, sel *PathSelector, req PathRequest, rnd *rand.Rand) (*Circuit, error) {
	c, aside, err := buildGuarded(g, sel, req, rnd, func(path []*Descriptor) (*Circuit, error) {
		c, err := o.Build(ctx, path)
		if err != nil && (ctx.Err() != nil || errors.Is(err, ErrTooManyCircuits) || errors.Is(err, ErrOnionClosed)) {
			err = &notGuardError{err} // not the guard's doing
		}
		return c, err
	}, o.ov.cfg.LinksDown)
	if aside != "" {
		o.log.Warn("entry guard set aside: its circuits fail far more often than they should",
			"guard", aside.ShortString())
	}
	return c, err
}

// notGuardError marks a build failure that says nothing about the guard
// (the caller's context ended, this node's own limits); buildGuarded
// returns its cause untouched.
type notGuardError struct{ err error }

func (e *notGuardError) Error() string { return e.err.Error() }
func (e *notGuardError) Unwrap() error { return e.err }

// buildGuarded is BuildGuarded's guard policy around build, which builds
// along a path or fails: a *firstHopError when this node could not reach
// the first hop itself, a *notGuardError when the failure is nobody's.
// linksDown, if set, says this node's own transport is down, and then an
// unreachable guard is not held against it. It returns the guard path bias
// set aside, if any. The path simulation (pathsim_test.go) drives it with
// simulated builds.
func buildGuarded[C any](g *Guards, sel *PathSelector, req PathRequest, rnd *rand.Rand,
	build func(path []*Descriptor) (C, error), linksDown func() bool) (c C, setAside peer.ID, err error) {
	var last error
	var tried []peer.ID
	for {
		// Asked again after each guard this node could not reach: that
		// failure may have started a hold (GuardRules.Hold) on the next.
		guards, err := g.Usable(sel, rnd)
		if err != nil {
			if last != nil {
				return c, "", fmt.Errorf("%w (after: %w)", err, last)
			}
			return c, "", err
		}
		i := slices.IndexFunc(guards, func(p peer.ID) bool {
			return !slices.Contains(tried, p)
		})
		if i < 0 {
			break
		}
		guard := guards[i]
		tried = append(tried, guard)
		req.Guard = guard
		path, err := sel.Select(req, rnd)
		if err != nil {
			last = err // this guard cannot serve this destination: the next may
			continue
		}
		c, err = build(path)
		if err == nil {
			return c, "", g.Built(guard)
		}
		var not *notGuardError
		if errors.As(err, &not) {
			return c, "", not.err
		}
		var first *firstHopError
		if !errors.As(err, &first) {
			// The guard answered; the circuit failed further on. Only
			// its path bias hears of it, and the next attempt goes
			// through it again: moving on to the next primary here would
			// hand every client's traffic to a second guard at the first
			// build timeout (about one build in five, by design).
			if aside, _ := g.Failed(guard); aside {
				setAside = guard
			}
			return c, setAside, err
		}
		last = err
		if linksDown == nil || !linksDown() {
			_ = g.Unreachable(guard) // first-hand: this node could not reach it
		}
	}
	return c, "", fmt.Errorf("%w: every usable guard failed (last: %w)", ErrNoGuard, last)
}
