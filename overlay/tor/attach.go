package tor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"syscall"

	"github.com/cretz/bine/control"
)

// Attach connects to the running tor at cfg.Control, authenticates with
// cfg.ControlPassword or the cookie tor names, and waits for bootstrap.
// The tor is not ours: Close leaves it running (our onion services go).
func Attach(ctx context.Context, cfg Config, logger *slog.Logger) (*Tor, error) {
	if cfg.Control == "" {
		return nil, fmt.Errorf("%w: control is empty", ErrConfig)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", cfg.Control)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, ErrControlRefused
		}
		return nil, fmt.Errorf("%w: %v", ErrControlRefused, dialReason(err))
	}
	ctl := control.NewConn(textproto.NewConn(conn))
	if err := ctl.Authenticate(cfg.ControlPassword); err != nil {
		ctl.Close()
		return nil, fmt.Errorf("%w: %v", ErrAuth, firstLine(err.Error()))
	}
	t := newTor(cfg, logger, ctl, nil)
	t.ctlAddr = cfg.Control
	if err := t.afterConnect(ctx); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// dialReason is a dial error without the addresses net puts in it.
func dialReason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return "dial failed"
}
