package tor

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
)

// Dialer is what Transport needs: a Tor, or a Later still starting.
type Dialer interface {
	Dial(ctx context.Context, addr, isolation string) (net.Conn, error)
}

// Later is a tor still starting in the background: a node builds its
// host around it at once, and its dials wait for bootstrap (or fail with
// the start's error) instead of going anywhere directly.
type Later struct {
	cancel context.CancelFunc
	ready  chan struct{} // closed when Start/Attach returned
	t      *Tor          // set before ready closes, nil on failure
	err    error

	mu   sync.Mutex
	boot Bootstrap
}

// Begin starts (or, with cfg.Control set, attaches to) tor in the
// background. It checks the binary first, so a missing tor is an error
// here, not later. cfg.Progress is wrapped: Later records each reading.
func Begin(cfg Config, logger *slog.Logger) (*Later, error) {
	if cfg.Control == "" {
		if err := cfg.validate(); err != nil {
			return nil, err
		}
		if _, err := cfg.binary(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Later{cancel: cancel, ready: make(chan struct{})}
	user := cfg.Progress
	cfg.Progress = func(p int, s string) {
		l.mu.Lock()
		l.boot = Bootstrap{Percent: p, Summary: s}
		l.mu.Unlock()
		if user != nil {
			user(p, s)
		}
	}
	go func() {
		defer close(l.ready)
		if cfg.Control != "" {
			l.t, l.err = Attach(ctx, cfg, logger)
		} else {
			l.t, l.err = Start(ctx, cfg, logger)
		}
	}()
	return l, nil
}

// Wait returns the tor once it has bootstrapped, or the start's error.
func (l *Later) Wait(ctx context.Context) (*Tor, error) {
	select {
	case <-l.ready:
		return l.t, l.err
	case <-ctx.Done():
		return nil, fmt.Errorf("tor: waiting for bootstrap: %w", ctx.Err())
	}
}

// Dial waits for tor, then dials through it (see Tor.Dial).
func (l *Later) Dial(ctx context.Context, addr, isolation string) (net.Conn, error) {
	t, err := l.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return t.Dial(ctx, addr, isolation)
}

// State is a Later's condition, for status pages.
type State struct {
	Phase   string `json:"phase"` // starting, ready, failed, exited, closed
	Percent int    `json:"bootstrap_percent"`
	Summary string `json:"bootstrap,omitempty"`
	Error   string `json:"error,omitempty"`
}

// State reports the start's progress, or why tor is unusable.
func (l *Later) State() State {
	l.mu.Lock()
	st := State{Phase: "starting", Percent: l.boot.Percent, Summary: l.boot.Summary}
	l.mu.Unlock()
	select {
	case <-l.ready:
	default:
		return st
	}
	switch err := l.err; {
	case err != nil:
		st.Phase, st.Error = "failed", err.Error()
	case l.t.Err() != nil:
		st.Phase, st.Error = "exited", l.t.Err().Error()
		if l.t.Err() == ErrClosed {
			st.Phase = "closed"
		}
	default:
		st.Phase = "ready"
	}
	return st
}

// Close cancels a start in progress (killing the tor it launched) and
// closes a started tor. It returns when no tor of ours is left.
func (l *Later) Close() error {
	l.cancel()
	<-l.ready
	if l.t != nil {
		return l.t.Close()
	}
	return nil
}
