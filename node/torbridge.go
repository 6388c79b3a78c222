package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cyclecash/overlay"
	"cyclecash/overlay/tor"
)

// torBridge is the node's tor: started in Run, closed in Close. A nil
// *torBridge is tor disabled; every method then does nothing.
type torBridge struct {
	cfg      TorConfig
	services []OnionService
	later    *tor.Later
	log      *slog.Logger

	ledger *ledgerOnion // tor.ledger_onion, while run runs

	mu     sync.Mutex
	onions []TorOnion
	err    string // a publication that failed
}

// TorStatus is the [tor] part of `cyclecash status`.
type TorStatus struct {
	tor.State
	Onions []TorOnion `json:"onions"`
	Issue  string     `json:"issue,omitempty"`
}

// TorOnion is one of our published onion services.
type TorOnion struct {
	Name string `json:"name"`
	Addr string `json:"addr"` // <id>.onion:<port>
}

// newTorBridge checks the [tor] section and the tor binary; nothing runs
// yet. A missing tor is one line: "node: tor: tor binary not found ...".
func newTorBridge(c Config, log *slog.Logger) (*torBridge, error) {
	services, err := c.Tor.check(c)
	if err != nil || !c.Tor.Enabled {
		return nil, err
	}
	log = log.With("sys", "tor")
	l, err := tor.NewLater(tor.Config{
		Dir: c.DataDir, Binary: c.Tor.Binary, Control: c.Tor.Control, ControlPassword: c.Tor.ControlPassword,
		BootstrapTimeout: c.Tor.BootstrapTimeout, Fallback: c.Tor.Fallback, Torrc: c.Tor.Torrc,
	}, log)
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	return &torBridge{cfg: c.Tor, services: services, later: l, log: log}, nil
}

// transport is the overlay's Tor transport when links go through Tor.
func (b *torBridge) transport() any {
	if b == nil || !b.cfg.DialGuards {
		return nil
	}
	return tor.NewTransport(b.later)
}

// linksDown is the overlay's Config.LinksDown when links go through Tor:
// while our tor is not ready, a guard we cannot reach is not to blame.
func (b *torBridge) linksDown() func() bool {
	if b == nil || !b.cfg.DialGuards {
		return nil
	}
	return func() bool { return b.later.State().Phase != "ready" }
}

// run starts tor, publishes the onion services once it has bootstrapped
// and, when tor dies, reports it and publishes them again on the tor
// started in its place (a started tor is restarted; an attached one is
// not, and links through Tor then fail until the node restarts).
func (b *torBridge) run(ctx context.Context, ov *overlay.Overlay, ledger http.Handler) {
	if b == nil {
		return
	}
	if b.cfg.LedgerOnion && ledger != nil {
		lo, err := serveLedgerOnion(ledger, b.log)
		if err != nil {
			b.noteOnion(ledgerOnionName, nil, err)
		} else {
			b.ledger = lo
			defer lo.close()
		}
	}
	b.later.Start()
	t, err := b.later.Wait(ctx)
	for err == nil {
		b.log.Info("tor bootstrapped")
		b.publishAll(ctx, t, ov)
		select {
		case <-ctx.Done():
			return
		case <-t.Done():
		}
		if errors.Is(t.Err(), tor.ErrClosed) {
			return
		}
		b.log.Error("tor stopped; links through tor fail until it is back", "err", t.Err())
		if t, err = b.later.Next(ctx, t); err == nil {
			ov.ForgetDialFailures() // dials that failed while tor was down
		}
	}
	if ctx.Err() == nil && !errors.Is(err, tor.ErrClosed) {
		b.log.Error("tor is not running", "err", err)
	}
}

// publishAll publishes the configured services (and the mesh listener)
// on t, replacing what an earlier tor had published.
func (b *torBridge) publishAll(ctx context.Context, t *tor.Tor, ov *overlay.Overlay) {
	b.mu.Lock()
	b.onions, b.err = nil, ""
	b.mu.Unlock()
	for _, s := range b.services {
		b.publish(ctx, t, s.Name, s.Port, s.Target)
	}
	b.publishLedger(ctx, t)
	if b.cfg.OnionListen {
		b.publishMesh(ctx, t, ov)
	}
}

// publish publishes one service, noting a failure in the status.
func (b *torBridge) publish(ctx context.Context, t *tor.Tor, name string, port int, target string) *tor.Onion {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	o, err := t.Publish(pctx, name, port, target)
	b.noteOnion(name, o, err)
	return o
}

// noteOnion lists a published service, or its failure, in the status.
func (b *torBridge) noteOnion(name string, o *tor.Onion, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.err = fmt.Sprintf("onion service %s: %v", name, err)
		b.log.Error("onion service not published", "name", name, "err", err)
		return
	}
	b.onions = append(b.onions, TorOnion{Name: name, Addr: o.Addr()})
	b.log.Info("onion service published", "name", name, "onion", o.Addr())
}

// publishMesh publishes the relay's TCP listener as the "mesh" onion
// service, announces its /onion3 address and republishes the descriptor.
func (b *torBridge) publishMesh(ctx context.Context, t *tor.Tor, ov *overlay.Overlay) {
	target, err := ov.LoopbackTCP()
	if err != nil {
		b.mu.Lock()
		b.err = err.Error()
		b.mu.Unlock()
		b.log.Error("onion_listen: no listener to publish", "err", err)
		return
	}
	o := b.publish(ctx, t, meshOnionName, b.cfg.onionPort(), target)
	if o == nil {
		return
	}
	if err := ov.AnnounceOnion(o.Multiaddr()); err != nil {
		b.log.Error("onion_listen: announce", "err", err)
		return
	}
	for wait := time.Second; ctx.Err() == nil; wait = min(2*wait, time.Minute) {
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := ov.Publish(pctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// status is the bridge's part of Status; nil when tor is disabled.
func (b *torBridge) status() *TorStatus {
	if b == nil {
		return nil
	}
	st := &TorStatus{State: b.later.State(), Onions: []TorOnion{}}
	b.mu.Lock()
	st.Onions = append(st.Onions, b.onions...)
	st.Issue = b.err
	b.mu.Unlock()
	return st
}

// close stops tor (a start in progress too); no tor of ours outlives it.
func (b *torBridge) close() error {
	if b == nil {
		return nil
	}
	return b.later.Close()
}
