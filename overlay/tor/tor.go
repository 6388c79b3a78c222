package tor

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cretz/bine/control"
	bine "github.com/cretz/bine/tor"
)

// Tor is a running tor we started or attached to.
type Tor struct {
	cfg     Config
	log     *slog.Logger
	bine    *bine.Tor // nil when attached
	proc    *ownedProc
	socks   string // host:port of the SOCKS listener
	ctlAddr string // host:port of the control port
	closed  chan struct{}
	dead    chan struct{} // closed when the process exits or Close is called

	mu       sync.Mutex // serialises control-port commands and the fields below
	ctl      *control.Conn
	onions   map[string]*Onion
	exported map[string]*exported // PublishCircuits services (onionexport.go)
	once     sync.Once
}

func newTor(cfg Config, logger *slog.Logger, ctl *control.Conn, proc *ownedProc) *Tor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Tor{cfg: cfg, log: logger, ctl: ctl, proc: proc, closed: make(chan struct{}),
		dead: make(chan struct{}), onions: map[string]*Onion{}}
}

// afterConnect finds the SOCKS port, waits for bootstrap and starts
// watching the process.
func (t *Tor) afterConnect(ctx context.Context) error {
	go t.watch()
	addr, err := t.getInfo("net/listeners/socks")
	if err != nil {
		return err
	}
	addr = strings.Trim(strings.Fields(addr + " ")[0], `"`)
	if addr == "" || strings.HasPrefix(addr, "unix:") {
		return fmt.Errorf("%w: tor has no TCP SOCKS port", ErrConfig)
	}
	t.socks = addr
	return t.waitBootstrap(ctx)
}

// watch closes dead when the process exits (or Close is called).
func (t *Tor) watch() {
	var exited <-chan struct{}
	if t.proc != nil {
		exited = t.proc.done
	}
	select {
	case <-exited:
		t.log.Warn("tor: tor process exited", "log", t.cfg.LogPath())
	case <-t.closed:
	}
	close(t.dead)
}

// Err is nil while tor is usable, ErrClosed after Close, ErrTorExited
// after the process died.
func (t *Tor) Err() error {
	select {
	case <-t.closed:
		return ErrClosed
	default:
	}
	select {
	case <-t.dead:
		return fmt.Errorf("%w (see tor's log)", ErrTorExited)
	default:
		return nil
	}
}

// Done is closed when tor stops being usable.
func (t *Tor) Done() <-chan struct{} { return t.dead }

// SocksAddr is tor's SOCKS listener (host:port on loopback).
func (t *Tor) SocksAddr() string { return t.socks }

// PID is the started tor's process id; 0 when attached.
func (t *Tor) PID() int {
	if t.proc == nil || t.proc.cmd.Process == nil {
		return 0
	}
	return t.proc.cmd.Process.Pid
}

// getInfo runs GETINFO key and returns its value.
func (t *Tor) getInfo(key string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.Err(); err != nil {
		return "", err
	}
	kvs, err := t.ctl.GetInfo(key)
	if err != nil {
		return "", t.ctlError("getinfo "+key, err)
	}
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Val, nil
		}
	}
	return "", fmt.Errorf("%w: no %s in getinfo reply", ErrSOCKS, key)
}

// ctlError reports a control-port failure as ErrTorExited when the
// process is gone.
func (t *Tor) ctlError(what string, err error) error {
	if t.proc != nil {
		select {
		case <-t.proc.done:
			return fmt.Errorf("%w (see tor's log)", ErrTorExited)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("tor: %s: %v", what, firstLine(err.Error()))
}

// Close removes our onion services, stops a tor we started (HALT, then
// SIGKILL if it lingers) and closes the control connection. Idempotent.
func (t *Tor) Close() error {
	t.once.Do(func() {
		close(t.closed)
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.bine != nil {
			_ = t.bine.Close() // HALT and close the control connection
		} else if t.ctl != nil {
			t.delOnions()
			_ = t.ctl.Close()
		}
		t.proc.kill(3 * time.Second)
	})
	<-t.dead
	return nil
}
