package tor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Dial connects to addr (host:port; host may be a .onion name) through
// tor, on a circuit shared only with dials of the same isolation key (use
// the peer's identity: one circuit per guard). When tor is gone or its
// SOCKS port unreachable, it dials directly only if Config.Fallback is set
// and addr is not an onion service.
func (t *Tor) Dial(ctx context.Context, addr, isolation string) (net.Conn, error) {
	host, port, err := splitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if isolation == "" {
		isolation = "addr:" + addr
	}
	c, err := t.dialSocks(ctx, isolation, host, port)
	if err != nil && t.mayFallback(err, host) {
		t.log.Warn("tor: dialling directly (fallback)", "reason", err)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	return c, err
}

// errSocksDown marks failures of tor itself (as opposed to the destination).
var errSocksDown = errors.New("tor: socks port unreachable")

func (t *Tor) mayFallback(err error, host string) bool {
	return t.cfg.Fallback && !strings.HasSuffix(strings.ToLower(host), ".onion") &&
		(errors.Is(err, ErrTorExited) || errors.Is(err, ErrClosed) || errors.Is(err, errSocksDown))
}

func (t *Tor) dialSocks(ctx context.Context, user, host string, port int) (net.Conn, error) {
	if err := t.Err(); err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", t.socks)
	if err != nil {
		if e := t.Err(); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("%w: %s", errSocksDown, dialReason(err))
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	err = socksHandshake(c, user, host, port)
	if !stop() && err == nil { // ctx ended as the reply arrived
		err = ctx.Err()
	}
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("tor: dial: %w", ctx.Err())
		}
		if e := t.Err(); e != nil {
			return nil, e
		}
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}
