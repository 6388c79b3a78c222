package tor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
)

// Dialer is what Transport needs: a Tor, or a Later still starting.
type Dialer interface {
	Dial(ctx context.Context, addr, isolation string) (net.Conn, error)
}

// Later is a tor that starts in the background: a node builds its host
// around it at once, and its dials wait for bootstrap (or fail with the
// start's error) instead of going anywhere directly.
type Later struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	ready  chan struct{} // closed when Start/Attach returned (or Close came first)
	t      *Tor          // set before ready closes, nil on failure
	err    error

	mu   sync.Mutex
	boot Bootstrap
}

// NewLater checks cfg (and that the tor binary exists, unless attaching
// to cfg.Control), so a missing tor is an error here, not in the
// background. Nothing runs until Start.
func NewLater(cfg Config, logger *slog.Logger) (*Later, error) {
	if cfg.Control == "" {
		if err := cfg.validate(); err != nil {
			return nil, err
		}
		if _, err := cfg.binary(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Later{cfg: cfg, log: logger, ctx: ctx, cancel: cancel, ready: make(chan struct{})}
	user := cfg.Progress
	l.cfg.Progress = func(p int, s string) {
		l.mu.Lock()
		l.boot = Bootstrap{Percent: p, Summary: s}
		l.mu.Unlock()
		if user != nil {
			user(p, s)
		}
	}
	return l, nil
}

// Start launches (or attaches to) tor in the background; later calls do
// nothing.
func (l *Later) Start() {
	l.once.Do(func() {
		go func() {
			defer close(l.ready)
			if l.cfg.Control != "" {
				l.t, l.err = Attach(l.ctx, l.cfg, l.log)
			} else {
				l.t, l.err = Start(l.ctx, l.cfg, l.log)
			}
		}()
	})
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
	err := l.err
	if err == nil {
		err = l.t.Err()
	}
	switch {
	case err == nil:
		st.Phase = "ready"
	case errors.Is(err, ErrClosed):
		st.Phase = "closed"
	case l.err == nil:
		st.Phase, st.Error = "exited", err.Error()
	default:
		st.Phase, st.Error = "failed", err.Error()
	}
	return st
}

// Close cancels a start in progress (killing the tor it launched) and
// closes a started tor. It returns when no tor of ours is left.
func (l *Later) Close() error {
	l.cancel()
	l.once.Do(func() { l.err = ErrClosed; close(l.ready) })
	<-l.ready
	if l.t != nil {
		return l.t.Close()
	}
	return nil
}
