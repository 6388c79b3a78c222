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
// start's error) instead of going anywhere directly. A tor it started that
// dies is started again (restart.go); meanwhile dials wait for it within
// their context, or go direct only when Config.Fallback allows it.
type Later struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	ready  chan struct{}                                // closed when Start/Attach returned (or Close came first)
	err    error                                        // the first start's error, set before ready closes
	hold   func(ctx context.Context, attempt int) error // waits before a restart
	wg     sync.WaitGroup                               // the supervisor

	mu      sync.Mutex
	t       *Tor          // the current tor; nil until the first start succeeded
	changed chan struct{} // closed (and replaced) when t is replaced
	boot    Bootstrap
	restart restartState
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
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Later{cfg: cfg, log: logger, ctx: ctx, cancel: cancel, ready: make(chan struct{}),
		changed: make(chan struct{}), hold: backoff}
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
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			t, err := l.start()
			l.mu.Lock()
			l.t, l.err = t, err
			l.mu.Unlock()
			close(l.ready)
			if err == nil && l.cfg.Control == "" {
				l.supervise(t)
			}
		}()
	})
}

func (l *Later) start() (*Tor, error) {
	if l.cfg.Control != "" {
		return Attach(l.ctx, l.cfg, l.log)
	}
	return Start(l.ctx, l.cfg, l.log)
}

// Wait returns the current tor once the first start has bootstrapped, or
// the start's error. The tor may since have died (its Err says so).
func (l *Later) Wait(ctx context.Context) (*Tor, error) {
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("tor: waiting for bootstrap: %w", ctx.Err())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t, l.err
}

// Dial waits for tor, then dials through the current one (see Tor.Dial).
// When that tor has died, it waits (within ctx) for the one started in its
// place, so a guard is not blamed for our tor's death; with Fallback set it
// dials directly instead. It never dials directly otherwise.
func (l *Later) Dial(ctx context.Context, addr, isolation string) (net.Conn, error) {
	t, err := l.Wait(ctx)
	if err != nil {
		return nil, err
	}
	for {
		c, err := t.Dial(ctx, addr, isolation)
		if err == nil || !errors.Is(err, ErrTorExited) || l.cfg.Control != "" {
			return c, err
		}
		nt, nerr := l.Next(ctx, t)
		if errors.Is(nerr, ErrClosed) {
			return nil, nerr
		}
		if nerr != nil {
			return nil, fmt.Errorf("%w; not restarted before the dial's deadline", err)
		}
		t = nt
	}
}

// State is a Later's condition, for status pages.
type State struct {
	Phase   string `json:"phase"` // starting, ready, failed, exited, restarting, closed
	Percent int    `json:"bootstrap_percent"`
	Summary string `json:"bootstrap,omitempty"`
	Error   string `json:"error,omitempty"`
	// Restarts counts the tors started after ours died; LastExit is the
	// latest such death (or failed restart), one line.
	Restarts int    `json:"restarts,omitempty"`
	LastExit string `json:"last_exit,omitempty"`
}

// State reports the start's progress, or why tor is unusable.
func (l *Later) State() State {
	l.mu.Lock()
	st := State{Phase: "starting", Percent: l.boot.Percent, Summary: l.boot.Summary,
		Restarts: l.restart.count, LastExit: l.restart.last}
	t, restarting := l.t, l.restart.active
	l.mu.Unlock()
	select {
	case <-l.ready:
	default:
		return st
	}
	err := l.err
	if err == nil {
		err = t.Err()
	}
	switch {
	case err == nil:
		st.Phase = "ready"
	case errors.Is(err, ErrClosed):
		st.Phase = "closed"
	case l.err == nil && restarting:
		st.Phase, st.Error = "restarting", err.Error()+"; starting it again"
	case l.err == nil:
		st.Phase, st.Error = "exited", err.Error()
	default:
		st.Phase, st.Error = "failed", err.Error()
	}
	return st
}

// Close cancels a start or restart in progress (killing the tor it
// launched) and closes the current tor. It returns when no tor of ours is
// left.
func (l *Later) Close() error {
	l.cancel()
	l.once.Do(func() { l.err = ErrClosed; close(l.ready) })
	l.wg.Wait()
	<-l.ready
	l.mu.Lock()
	t := l.t
	l.mu.Unlock()
	if t != nil {
		return t.Close()
	}
	return nil
}
