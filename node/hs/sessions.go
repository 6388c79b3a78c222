package hs

import (
	"context"
	"time"
)

// clientIdle is how long the client keeps a session with no stream open.
const clientIdle = 30 * time.Second

// sessionKey names the session a dial may share: same address, same
// isolation group (SOCKS username/password, as Tor's IsolateSOCKSAuth).
type sessionKey struct {
	address string
	group   [32]byte
}

type isolationKey struct{}

// WithIsolation puts a dial in isolation group g: dials in different
// groups never share a rendezvous circuit.
func WithIsolation(ctx context.Context, g [32]byte) context.Context {
	return context.WithValue(ctx, isolationKey{}, g)
}

func isolationFrom(ctx context.Context) [32]byte {
	g, _ := ctx.Value(isolationKey{}).([32]byte)
	return g
}

// pending is a session being made or made; ready closes when it is.
type pending struct {
	ready chan struct{}
	sess  *session
	err   error
}

// session returns the live session under key, waiting for one being made,
// or makes one (paying extra bits of proof of work).
func (c *Client) session(ctx context.Context, key sessionKey, extra uint8) (*session, error) {
	c.mu.Lock()
	if c.sessions == nil {
		c.sessions = map[sessionKey]*pending{}
	}
	p := c.sessions[key]
	if p != nil {
		c.mu.Unlock()
		select {
		case <-p.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if p.err == nil && p.sess.alive() {
			return p.sess, nil
		}
		c.forget(key, p.sess)
		c.mu.Lock()
		if q := c.sessions[key]; q != nil && q != p {
			c.mu.Unlock()
			return c.session(ctx, key, extra)
		}
	}
	p = &pending{ready: make(chan struct{})}
	c.sessions[key] = p
	c.mu.Unlock()
	p.sess, p.err = c.dial(ctx, key.address, extra)
	close(p.ready)
	if p.err != nil {
		c.forgetPending(key, p)
		return nil, p.err
	}
	c.made.Add(1)
	go func() { <-p.sess.done; c.forget(key, p.sess) }() // a dead session frees its entry
	return p.sess, nil
}

// forget drops the session under key if it is still sess (nil: a failed
// one), so the next dial makes another.
func (c *Client) forget(key sessionKey, sess *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.sessions[key]; p != nil {
		select {
		case <-p.ready:
			if p.sess == sess {
				delete(c.sessions, key)
			}
		default:
		}
	}
}

func (c *Client) forgetPending(key sessionKey, p *pending) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions[key] == p {
		delete(c.sessions, key)
	}
}

// Sessions returns how many rendezvous sessions this client has made.
func (c *Client) Sessions() uint64 { return c.made.Load() }
