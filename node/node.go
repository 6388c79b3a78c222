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

	"cyclecash/node/hs"
	"cyclecash/node/service"
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
	tor     *torBridge // nil unless [tor] enabled
	created bool       // identity was created by this start

	vanguards *overlay.Vanguards // layer-2 guards of hidden-service circuits
	guardsMu  sync.Mutex         // serialises refreshGuards: the overlay hears the latest set last

	mu    sync.Mutex
	onion *OnionKeys
	// replayLow asks rotateLoop for an early onion-key rotation
	// (overlay.RelayLimits.ReplayLow).
	replayLow chan struct{}
	circuits  map[Target]*overlay.Circuit // open circuits DialService reuses
	api       net.Listener
	started   time.Time

	host     *host             // the node as its services see it
	services []service.Service // built in order, closed in reverse (services.go)
	hs       *hs.Role          // every node: hidden services, .mesh dials (hsnet.go)
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
	tb, err := newTorBridge(cfg, log)
	if err != nil {
		return nil, err
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
	guards.SetRules(overlay.GuardRules{TestNetworkAnyAge: cfg.LoopbackDistinct, Hold: max(cfg.GuardHold, 0)})
	vanguards, err := overlay.LoadVanguards(filepath.Join(cfg.DataDir, "vanguards.json"), nil)
	if err != nil {
		return nil, err
	}
	var nd *Node
	ov, err := overlay.New(overlay.Config{
		Identity: id, OnionKey: onion.Public(), Listen: p.listen, Bootstrap: p.bootstrap,
		Roles: p.roles, Bandwidth: cfg.Bandwidth, Family: cfg.Family,
		DescriptorLifetime: cfg.DescriptorLifetime, RepublishEvery: cfg.RepublishEvery,
		GatherEvery: cfg.GatherEvery, RefreshEvery: cfg.RefreshEvery,
		Limits:     overlay.HostLimits{MemoryBytes: int64(cfg.MemoryMB) << 20, ConnsHigh: cfg.MaxConns, ConnsLow: cfg.MaxConns / 3},
		Rules:      overlay.PathRules{LoopbackDistinct: cfg.LoopbackDistinct},
		ClientOnly: cfg.ClientOnly, TorTransport: tb.transport(), LinksDown: tb.linksDown(),
		GuardFailed: func(p peer.ID) { nd.guardFailed(p) }, // called from Run only, after nd is set
		PoWBits:     cfg.PoWBits,
		Directory:   cfg.directoryPolicy(),
		Logger:      log.With("sys", "overlay"),
	})
	if err != nil {
		return nil, err
	}
	keys, err := onionKeys(onion)
	if err != nil {
		ov.Close()
		return nil, err
	}
	limits, replayLow := cfg.Relay, make(chan struct{}, 1)
	limits.ReplayLow = func() {
		select {
		case replayLow <- struct{}{}: // rotateLoop rotates the key early
		default:
		}
	}
	circ, err := overlay.NewOnion(ov, overlay.OnionConfig{
		// Relays accept streams for the hidden-service directory only (overlay.HSDirService).
		Keys: keys, AcceptStreams: p.roles&(overlay.RoleGateway|overlay.RoleRelay) != 0, RelayRate: cfg.RelayRate, Limits: limits, Logger: log.With("sys", "onion"),
	})
	if err != nil {
		ov.Close()
		return nil, err
	}
	n := &Node{cfg: cfg, log: log, ov: ov, guards: guards, vanguards: vanguards, circ: circ, tor: tb, created: created, onion: onion,
		circuits: map[Target]*overlay.Circuit{}, replayLow: replayLow}
	n.host, nd = newHost(n), n
	if err := n.listenAPI(); err != nil {
		circ.Close()
		ov.Close()
		return nil, err
	}
	if err := n.buildServices(p.roles); err != nil {
		n.Close()
		return nil, err
	}
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

// Overlay exposes the network layer to tests and the test network.
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
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	for _, s := range n.services {
		run(s.Run)
	}
	run(func(ctx context.Context) { n.ov.Run(ctx) })
	run(func(ctx context.Context) { n.circ.Run(ctx) })
	run(n.rotateLoop)
	run(n.guardLoop)
	run(n.dirCircuitLoop)
	run(func(ctx context.Context) { n.tor.run(ctx, n.ov, n.LedgerHandler()) })
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	wg.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	return err
}

// Close stops the API listener, closes the services in reverse order of
// construction, then the onion layer, the overlay and tor.
func (n *Node) Close() error {
	n.mu.Lock()
	api := n.api
	n.mu.Unlock()
	var errs []error
	if api != nil {
		errs = append(errs, ignoreClosed(api.Close()))
	}
	for i := len(n.services) - 1; i >= 0; i-- {
		errs = append(errs, n.services[i].Close())
	}
	return errors.Join(append(errs, n.circ.Close(), n.ov.Close(), n.tor.close())...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// PickGuard returns the entry guard for new circuits, persisting the guard
// set. A client-only node also confines its connections to the usable
// guards (see refreshGuards).
func (n *Node) PickGuard() (peer.ID, error) {
	usable, err := n.refreshGuards(n.pathSelector(), rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	if err != nil {
		return "", err
	}
	return usable[0], nil
}

// refreshGuards updates the guard set against sel and tells the overlay
// which guards a confined client may connect to: the usable ones, the one
// it waits for under a guard hold, or none, which lets it reach its
// bootstrap peers again to find the network.
func (n *Node) refreshGuards(sel *overlay.PathSelector, rnd *rand.Rand) ([]peer.ID, error) {
	n.guardsMu.Lock()
	defer n.guardsMu.Unlock()
	usable, err := n.guards.Usable(sel, rnd)
	allowed := usable
	if len(usable) == 0 && sel.Len() > 0 {
		// Waiting for a held guard (guard_hold): it stays the one peer
		// asked for the directory, so that it is seen when it is back;
		// the bootstrap peers would learn this node's address meanwhile.
		// With no directory at all (a fresh start) they serve it.
		if h := n.guards.Holding(sel); h != "" {
			allowed = []peer.ID{h}
		}
	}
	n.ov.SetGuards(allowed)
	return usable, err
}

// guardFailed: this confined client could not fetch the directory from
// entry guard p itself. The guard policy hears of it, and the overlay gets
// the guards usable after it (GuardRules.Hold may leave none but the
// bootstrap peers).
func (n *Node) guardFailed(p peer.ID) {
	_ = n.guards.Unreachable(p)
	n.refreshGuards(n.pathSelector(), rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
}

// DataDir is the node's data directory.
func (n *Node) DataDir() string { return n.cfg.DataDir }
