package tor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A tor we started that dies (killed, crashed, out of memory) is started
// again in the same data directory, so its onion service keys and cached
// consensus carry over, after a growing pause (1 s, doubling, at most a
// minute). Until it is back, Later's dials wait for it within their
// context and then fail with ErrTorExited (or go direct where
// Config.Fallback allows): a confined client stays confined, and a guard
// dialled meanwhile is not marked unreachable for our tor's death when the
// restart is quick. An attached tor is not ours to restart.

// restartState is what State shows of the supervisor.
type restartState struct {
	active bool   // the current tor is dead and a new one is on its way
	count  int    // successful restarts
	last   string // the latest death or failed restart, one line
}

const (
	firstRestartDelay = time.Second
	maxRestartDelay   = time.Minute
)

// backoff waits before restart attempt n (1, 2, ...).
func backoff(ctx context.Context, attempt int) error {
	d := firstRestartDelay << min(attempt-1, 6)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(min(d, maxRestartDelay)):
		return nil
	}
}

// supervise restarts t whenever it dies, until Close.
func (l *Later) supervise(t *Tor) {
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-t.Done():
		}
		if !errors.Is(t.Err(), ErrTorExited) {
			return
		}
		l.log.Error("tor: tor process exited; starting it again", "log", l.cfg.LogPath())
		l.setRestart(t.Err().Error())
		nt, ok := l.restartOnce()
		if !ok {
			return
		}
		l.swap(nt)
		t = nt
	}
}

// restartOnce starts tor again, retrying with backoff until it bootstraps
// or Close.
func (l *Later) restartOnce() (*Tor, bool) {
	for attempt := 1; ; attempt++ {
		if err := l.hold(l.ctx, attempt); err != nil {
			return nil, false
		}
		nt, err := Start(l.ctx, l.cfg, l.log)
		if err == nil {
			return nt, true
		}
		if l.ctx.Err() != nil {
			return nil, false
		}
		l.log.Error("tor: restart failed", "attempt", attempt, "err", err)
		l.setRestart(fmt.Sprintf("restart %d: %v", attempt, err))
	}
}

// setRestart notes that a restart is under way and why.
func (l *Later) setRestart(why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.restart.active, l.restart.last = true, firstLine(why)
}

// swap makes nt the current tor and wakes Next.
func (l *Later) swap(nt *Tor) {
	l.mu.Lock()
	l.t = nt
	l.restart.active = false
	l.restart.count++
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	l.log.Info("tor: restarted and bootstrapped")
}

// Next waits until a tor other than old is current (a restart has
// bootstrapped) and returns it. It fails at once when no restart will
// come: the tor is attached, closed or was never started.
func (l *Later) Next(ctx context.Context, old *Tor) (*Tor, error) {
	if _, err := l.Wait(ctx); err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		t, ch := l.t, l.changed
		l.mu.Unlock()
		if t != old {
			return t, nil
		}
		if l.cfg.Control != "" {
			return nil, t.Err()
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("tor: waiting for restart: %w", ctx.Err())
		case <-l.ctx.Done():
			return nil, ErrClosed
		}
	}
}
