package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Node is one running cyclecash node: the overlay plus the services its
// roles add, and the local control API.
type Node struct {
	cfg     Config
	log     *slog.Logger
	ov      *overlay.Overlay
	guards  *overlay.Guards
	circ    *overlay.Onion
	created bool // identity was created by this start

	mu       sync.Mutex
	onion    *OnionKeys
	circuits map[Target]*overlay.Circuit // open circuits DialService reuses
	api      net.Listener
	started  time.Time

	ledger  *ledgerService  // a gateway's ledger; nil for other roles
	compute *computeService // scheduler, worker and buyer client
}

// New loads (or creates) the node's keys in cfg.DataDir and starts its
// libp2p host. log may be nil for silence. Nothing is contacted until Run.
func New(cfg Config, log *slog.Logger) (*Node, error) {
	cfg = cfg.WithDefaults()
	p, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("node: data directory: %w", err)
	}
	id, created, err := nodeIdentity(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.ClientOnly {
		p.listen = nil
	}
	onion, _, err := loadOrCreateOnionKeys(cfg.DataDir, time.Now())
	if err != nil {
		return nil, err
	}
	guards, err := overlay.LoadGuards(filepath.Join(cfg.DataDir, "guards.json"), nil)
	if err != nil {
		return nil, err
	}
	ov, err := overlay.New(overlay.Config{
		Identity: id, OnionKey: onion.Public(), Listen: p.listen, Bootstrap: p.bootstrap,
		Roles: p.roles, Bandwidth: cfg.Bandwidth, Family: cfg.Family,
		DescriptorLifetime: cfg.DescriptorLifetime, RepublishEvery: cfg.RepublishEvery,
		GatherEvery: cfg.GatherEvery, RefreshEvery: cfg.RefreshEvery,
		Limits:     overlay.HostLimits{MemoryBytes: int64(cfg.MemoryMB) << 20, ConnsHigh: cfg.MaxConns, ConnsLow: cfg.MaxConns / 3},
		Rules:      overlay.PathRules{LoopbackDistinct: cfg.LoopbackDistinct},
		ClientOnly: cfg.ClientOnly,
		Logger:     log.With("sys", "overlay"),
	})
	if err != nil {
		return nil, err
	}
	keys, err := onionKeys(onion)
	if err != nil {
		ov.Close()
		return nil, err
	}
	circ, err := overlay.NewOnion(ov, overlay.OnionConfig{
		Keys: keys, AcceptStreams: p.roles&overlay.RoleGateway != 0, RelayRate: cfg.RelayRate, Logger: log.With("sys", "onion"),
	})
	if err != nil {
		ov.Close()
		return nil, err
	}
	n := &Node{cfg: cfg, log: log, ov: ov, guards: guards, circ: circ, created: created, onion: onion,
		circuits: map[Target]*overlay.Circuit{}}
	if p.roles&overlay.RoleGateway != 0 {
		circ.Handle(overlay.EchoService, echo)
	}
	if err := n.listenAPI(); err != nil {
		circ.Close()
		ov.Close()
		return nil, err
	}
	cfg.Ledger.Measured = n.measuredCapacity
	if n.ledger, err = startLedger(cfg, p.roles); err != nil {
		n.Close()
		return nil, err
	}
	compute, err := startCompute(n, cfg, p.roles)
	if err != nil {
		n.Close()
		return nil, err
	}
	n.mu.Lock()
	n.compute = compute
	n.mu.Unlock()
	return n, nil
}

// InitKeys creates the identity and onion keys in dir unless they exist,
// and returns the node's peer ID.
func InitKeys(dir string) (peer.ID, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("node: data directory: %w", err)
	}
	id, _, err := loadOrCreateIdentity(dir)
	if err != nil {
		return "", err
	}
	if _, _, err := loadOrCreateOnionKeys(dir, time.Now()); err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(id)
}

// ID is the node's peer ID.
func (n *Node) ID() peer.ID { return n.ov.ID() }

// Overlay exposes the network layer to tests and role services.
func (n *Node) Overlay() *overlay.Overlay { return n.ov }

// CreatedIdentity reports whether New generated a fresh identity.
func (n *Node) CreatedIdentity() bool { return n.created }

// P2PAddrs are the node's listen addresses with its /p2p/ suffix, the form
// other nodes take as bootstrap peers.
func (n *Node) P2PAddrs() []string {
	var out []string
	for _, a := range n.ov.Addrs() {
		out = append(out, a.String()+"/p2p/"+n.ID().String())
	}
	return out
}

// Run serves the control API and runs the overlay until ctx ends.
func (n *Node) Run(ctx context.Context) error {
	n.mu.Lock()
	n.started = time.Now()
	n.mu.Unlock()
	srv := n.serveAPI()
	n.ledger.serve(n.log)
	var wg sync.WaitGroup
	wg.Add(5)
	go func() { defer wg.Done(); n.compute.run(ctx) }()
	go func() { defer wg.Done(); n.ov.Run(ctx) }()
	go func() { defer wg.Done(); n.circ.Run(ctx) }()
	go func() { defer wg.Done(); n.rotateLoop(ctx) }()
	go func() { defer wg.Done(); n.guardLoop(ctx) }()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := errors.Join(srv.Shutdown(shutdown), n.ledger.shutdown(shutdown))
	wg.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	return err
}

// rotateLoop checks hourly whether the onion key is due for rotation and
// announces the new one at once.
func (n *Node) rotateLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		keys, rotated, err := loadOrCreateOnionKeys(n.cfg.DataDir, time.Now())
		if err != nil {
			n.log.Error("onion key rotation failed", "err", err)
			continue
		}
		if rotated {
			n.mu.Lock()
			n.onion = keys
			n.mu.Unlock()
			n.ov.SetOnionKey(keys.Public())
			if ks, err := onionKeys(keys); err == nil {
				n.circ.SetKeys(ks[0], ks[len(ks)-1])
			}
			n.log.Info("onion key rotated")
			if err := n.ov.Publish(ctx); err != nil {
				n.log.Warn("publishing rotated onion key failed; the timer will retry", "err", err)
			}
		}
	}
}

// guardLoop keeps the primary guard set filled once the directory knows
// enough relays, so the first circuit does not wait for it.
func (n *Node) guardLoop(ctx context.Context) {
	every := 2 * time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if n.ov.Directory().Len() < overlay.PrimaryGuards+1 {
			continue
		}
		if _, err := n.PickGuard(); err != nil {
			n.log.Debug("no entry guard yet", "err", err)
			continue
		}
		every = time.Minute
	}
}

// Close stops the API listener and the overlay.
func (n *Node) Close() error {
	n.mu.Lock()
	api := n.api
	n.mu.Unlock()
	var errs []error
	if api != nil {
		errs = append(errs, ignoreClosed(api.Close()))
	}
	return errors.Join(append(errs, n.compute.close(), n.circ.Close(), n.ov.Close(), n.ledger.close())...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// PickGuard returns the entry guard for new circuits, persisting the guard
// set. A client-only node also confines its connections to those guards.
func (n *Node) PickGuard() (peer.ID, error) {
	g, err := n.guards.Pick(n.ov.Directory().Live(), overlay.PathRules{LoopbackDistinct: n.cfg.LoopbackDistinct}, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	if err != nil {
		return "", err
	}
	var ids []peer.ID
	for _, e := range n.guards.Primary() {
		ids = append(ids, e.Peer)
	}
	n.ov.SetGuards(ids)
	return g, nil
}

// DataDir is the node's data directory.
func (n *Node) DataDir() string { return n.cfg.DataDir }
