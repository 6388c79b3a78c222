package node

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"cyclecash/onion"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// dialAttempts is how many circuits DialService tries before giving up.
const dialAttempts = 4

// Target names where a circuit ends: a peer, or any node of a role.
type Target struct {
	Peer peer.ID      // this destination, if set
	Role overlay.Role // else a node with this role (default gateway)
	Hops int          // relays before the destination; 0 = 3
	// HiddenService: the hop after the guard is a layer-2 guard
	// (vanguards-lite), for introduction, rendezvous and HSDir circuits.
	HiddenService bool
}

// ParseTarget reads "PEERID" or "role:NAME".
func ParseTarget(s string) (Target, error) {
	if name, ok := strings.CutPrefix(s, "role:"); ok {
		r, err := overlay.ParseRole(name)
		if err != nil {
			return Target{}, fmt.Errorf("node: target: %w", err)
		}
		return Target{Role: r}, nil
	}
	p, err := peer.Decode(s)
	if err != nil {
		return Target{}, fmt.Errorf("node: target %q is neither a peer ID nor role:NAME", s)
	}
	return Target{Peer: p}, nil
}

// Onion is the node's onion routing service (links, relay, circuits).
func (n *Node) Onion() *overlay.Onion { return n.circ }

// Handle registers a named service that circuits ending at this node reach
// with DialService. Only gateways accept such circuits; every gateway also
// serves overlay.EchoService for probes. h gets one net.Conn per stream; its
// RemoteAddr is the last relay of the circuit, never the client.
func (n *Node) Handle(name string, h func(net.Conn)) { n.circ.Handle(name, h) }

// BuildCircuit builds a fresh circuit to t through one of the usable
// primary entry guards, then bandwidth-weighted relays, then the
// destination. A build that times out or meets an unreachable relay is
// retried on a new path (up to dialAttempts builds). No circuit is ever
// built without a guard: when none is usable the build waits (bounded
// backoff, so the directory and guard set can recover) and then fails
// with an error wrapping overlay.ErrNoGuard.
func (n *Node) BuildCircuit(ctx context.Context, t Target) (*overlay.Circuit, error) {
	req := overlay.PathRequest{Hops: t.Hops, Dest: t.Peer, DestRole: t.Role}
	if req.Dest == "" && req.DestRole == 0 {
		req.DestRole = overlay.RoleGateway
	}
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	var err error
	for attempt := range dialAttempts {
		sel := n.pathSelector()
		n.refreshGuards(sel, rnd)
		if t.HiddenService { // no layer-2 guard listed: wait as for a guard
			if req.Layer2, err = n.vanguards.Layer2(sel, rnd); err != nil {
				if attempt+1 < dialAttempts && sleepCtx(ctx, guardBackoff(attempt)) {
					continue
				}
				return nil, fmt.Errorf("node: hidden-service circuit: %w", err)
			}
		}
		var c *overlay.Circuit
		c, err = n.circ.BuildGuarded(ctx, n.guards, sel, req, rnd)
		switch {
		case err == nil:
			return c, nil
		case ctx.Err() != nil:
			return nil, err
		case errors.Is(err, overlay.ErrNoGuard):
			if attempt+1 < dialAttempts && !sleepCtx(ctx, guardBackoff(attempt)) {
				return nil, err
			}
		case !retryable(err):
			return nil, err
		}
	}
	if errors.Is(err, overlay.ErrNoGuard) {
		return nil, fmt.Errorf("node: no usable entry guard after %d attempts, and no circuit is built without one: %w", dialAttempts, err)
	}
	return nil, fmt.Errorf("node: no circuit after %d attempts: %w", dialAttempts, err)
}

// guardBackoffBase is the first wait after finding no usable guard; each
// further attempt doubles it, up to guardBackoffMax.
const (
	guardBackoffBase = 250 * time.Millisecond
	guardBackoffMax  = 4 * time.Second
)

func guardBackoff(attempt int) time.Duration {
	return min(guardBackoffBase<<attempt, guardBackoffMax)
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pathSelector is a snapshot of the live directory this node can use
// (itself left out, relays it cannot reach left out) under its path rules.
func (n *Node) pathSelector() *overlay.PathSelector {
	var dir []*overlay.Descriptor
	for _, d := range n.ov.Directory().Live() {
		if d.Peer != n.ID() && n.circ.Reachable(d.Peer) {
			dir = append(dir, d)
		}
	}
	return overlay.NewPathSelector(dir, n.pathRules())
}

// pathRules are the rules this node draws paths and guards under: the
// claimed-bandwidth caps, and what relays measurably carried for it.
func (n *Node) pathRules() overlay.PathRules {
	return overlay.PathRules{LoopbackDistinct: n.cfg.LoopbackDistinct, Measured: n.ov.Measurements()}
}

func retryable(err error) bool {
	return errors.Is(err, overlay.ErrBuildTimeout) || errors.Is(err, overlay.ErrHopUnreachable) ||
		errors.Is(err, overlay.ErrCircuitBroken)
}

// DialService opens a stream to service at t through a circuit, reusing an
// open circuit to t when there is one. If a circuit cannot be built or dies
// before the stream opens, it tries a new circuit (up to dialAttempts). A
// stream that breaks later returns an error wrapping
// overlay.ErrCircuitBroken from Read or Write; the caller then calls
// DialService again and repeats its request: bytes it wrote on the broken
// stream may not have arrived.
func (n *Node) DialService(ctx context.Context, t Target, service string) (net.Conn, error) {
	var last error
	for range dialAttempts {
		c, err := n.circuitTo(ctx, t)
		if err == nil {
			var s *overlay.Stream
			if s, err = c.Dial(ctx, service); err == nil {
				return s, nil
			}
			if errors.Is(err, overlay.ErrServiceRefused) {
				return nil, err
			}
			c.Close()
		}
		if ctx.Err() != nil || errors.Is(err, overlay.ErrNoPath) || errors.Is(err, overlay.ErrNoGuard) {
			return nil, err
		}
		n.log.Debug("circuit attempt failed", "err", err)
		last = err
	}
	return nil, fmt.Errorf("node: no circuit after %d attempts: %w", dialAttempts, last)
}

// circuitTo returns the cached open circuit to t or builds one.
func (n *Node) circuitTo(ctx context.Context, t Target) (*overlay.Circuit, error) {
	n.mu.Lock()
	c := n.circuits[t]
	n.mu.Unlock()
	if c != nil && c.Err() == nil {
		return c, nil
	}
	c, err := n.BuildCircuit(ctx, t)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	n.circuits[t] = c
	n.mu.Unlock()
	return c, nil
}

// onionKeys converts the stored onion keys for the relay, current first.
func onionKeys(k *OnionKeys) ([]*onion.OnionKey, error) {
	out := []*onion.OnionKey{}
	for _, ok := range []*onionKey{&k.Current, k.Previous} {
		if ok == nil {
			continue
		}
		priv, err := ecdh.X25519().NewPrivateKey(ok.Private)
		if err != nil {
			return nil, fmt.Errorf("node: onion key: %w", err)
		}
		out = append(out, &onion.OnionKey{Private: [32]byte(ok.Private), Public: [32]byte(priv.PublicKey().Bytes())})
	}
	return out, nil
}

// echo serves overlay.EchoService: every byte back until the stream ends.
func echo(c net.Conn) {
	defer c.Close()
	_, _ = io.Copy(c, c)
}
