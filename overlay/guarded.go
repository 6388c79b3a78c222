package overlay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/libp2p/go-libp2p/core/peer"
)

// BuildGuarded builds a circuit for req through one of the usable primary
// guards of g, in their order of preference, on a fresh path from sel for
// each guard tried. It reports every outcome to g: a guard this node could
// not reach is skipped for a while, a circuit that failed further on counts
// against the guard's path bias only (never against a relay another hop
// named), a built circuit confirms the guard. When no guard yields a
// circuit it fails with an error wrapping ErrNoGuard, and callers retry
// later with backoff: there is no unguarded fallback. A guard set aside by
// path bias is logged at warning level for the user.
func (o *Onion) BuildGuarded(ctx context.Context, g *Guards, sel *PathSelector, req PathRequest, rnd *rand.Rand) (*Circuit, error) {
	guards, err := g.Usable(sel, rnd)
	if err != nil {
		return nil, err
	}
	var last error
	for _, guard := range guards {
		req.Guard = guard
		path, err := sel.Select(req, rnd)
		if err != nil {
			last = err
			continue
		}
		c, err := o.Build(ctx, path)
		if err == nil {
			return c, g.Built(guard)
		}
		last = err
		if ctx.Err() != nil || errors.Is(err, ErrTooManyCircuits) || errors.Is(err, ErrOnionClosed) {
			return nil, err // not the guard's doing
		}
		o.guardFailed(g, guard, err)
	}
	return nil, fmt.Errorf("%w: every usable guard failed (last: %w)", ErrNoGuard, last)
}

// guardFailed reports a failed build through guard to g.
func (o *Onion) guardFailed(g *Guards, guard peer.ID, err error) {
	var first *firstHopError
	if errors.As(err, &first) {
		if down := o.ov.cfg.LinksDown; down != nil && down() {
			return // our own transport is down, not the guard
		}
		_ = g.Unreachable(guard)
		return
	}
	if aside, _ := g.Failed(guard); aside {
		o.log.Warn("entry guard set aside: its circuits fail far more often than they should",
			"guard", guard.ShortString())
	}
}
