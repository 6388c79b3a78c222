package overlay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// DHTPrefix namespaces every cyclecash DHT protocol away from the public IPFS DHT.
const DHTPrefix = "/cyclecash"

// Config describes one overlay node. The zero value of every duration and
// limit means its default; Identity is required.
type Config struct {
	Identity  crypto.PrivKey // Ed25519 node identity; signs descriptors
	OnionKey  [32]byte       // X25519 public onion key published in the descriptor
	Listen    []ma.Multiaddr
	Bootstrap []peer.AddrInfo
	Roles     Role
	Bandwidth uint64 // advertised, bytes per second
	Family    string
	// ClientOnly nodes publish no descriptor, run the DHT in client mode and
	// learn no addresses from peers (stealth workers).
	ClientOnly bool

	DescriptorLifetime time.Duration // 0 = 3h
	RepublishEvery     time.Duration // 0 = DescriptorLifetime/3
	GatherEvery        time.Duration // 0 = 2m; how often the directory looks for new relays
	RefreshEvery       time.Duration // 0 = DescriptorLifetime/3; how often held descriptors are re-read

	Limits HostLimits
	Rules  PathRules
	Logger *slog.Logger     // nil = silent
	Now    func() time.Time // nil = time.Now
}

func (c *Config) setDefaults() {
	if c.DescriptorLifetime == 0 {
		c.DescriptorLifetime = 3 * time.Hour
	}
	if c.RepublishEvery == 0 {
		c.RepublishEvery = c.DescriptorLifetime / 3
	}
	if c.RefreshEvery == 0 {
		c.RefreshEvery = c.DescriptorLifetime / 3
	}
	if c.GatherEvery == 0 {
		c.GatherEvery = 2 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func (c *Config) validate() error {
	if c.Identity == nil || c.Identity.Type() != crypto.Ed25519 {
		return errors.New("overlay: Config.Identity must be an Ed25519 key")
	}
	if c.DescriptorLifetime > MaxDescriptorLifetime {
		return fmt.Errorf("overlay: Config.DescriptorLifetime above %v", MaxDescriptorLifetime)
	}
	return nil
}

// Overlay is a running libp2p host with its DHT and relay directory.
type Overlay struct {
	cfg  Config
	host host.Host
	dht  *dht.IpfsDHT
	dir  *Directory
	log  *slog.Logger

	mu      sync.Mutex
	lastSeq uint64
	onion   [32]byte
}

// New starts the host and the DHT. It does not contact anyone yet: Run
// bootstraps, publishes and gathers.
func New(cfg Config) (*Overlay, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h, err := newHost(cfg.Identity, cfg.Listen, cfg.Limits, cfg.ClientOnly)
	if err != nil {
		return nil, err
	}
	mode := dht.ModeServer
	if cfg.ClientOnly {
		mode = dht.ModeClient
	}
	kad, err := dht.New(h,
		dht.Mode(mode),
		dht.ProtocolPrefix(DHTPrefix),
		dht.Validator(record.NamespacedValidator{DescriptorNamespace: Validator{Now: cfg.Now}}),
		dht.BootstrapPeers(cfg.Bootstrap...),
		dht.MaxRecordAge(MaxDescriptorLifetime),
	)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("overlay: start dht: %w", err)
	}
	return &Overlay{cfg: cfg, host: h, dht: kad, dir: NewDirectory(cfg.Now), log: cfg.Logger, onion: cfg.OnionKey}, nil
}

// Host is the libp2p host, for protocols layered on the overlay.
func (o *Overlay) Host() host.Host { return o.host }

// ID is this node's peer ID.
func (o *Overlay) ID() peer.ID { return o.host.ID() }

// Addrs are the addresses the host listens on.
func (o *Overlay) Addrs() []ma.Multiaddr { return o.host.Addrs() }

// Directory is the cache of verified relay descriptors.
func (o *Overlay) Directory() *Directory { return o.dir }

// RoutingTableSize is the number of peers in the DHT routing table.
func (o *Overlay) RoutingTableSize() int { return o.dht.RoutingTable().Size() }

// SetOnionKey changes the onion key announced from the next publication on.
func (o *Overlay) SetOnionKey(k [32]byte) {
	o.mu.Lock()
	o.onion = k
	o.mu.Unlock()
}

// Close stops the DHT and the host.
func (o *Overlay) Close() error {
	return errors.Join(o.dht.Close(), o.host.Close())
}

// Run connects to the bootstrap peers, then keeps the descriptor published
// and the directory gathered until ctx ends.
func (o *Overlay) Run(ctx context.Context) error {
	o.connectBootstrap(ctx)
	var wg sync.WaitGroup
	if !o.cfg.ClientOnly {
		wg.Add(1)
		go func() { defer wg.Done(); o.publishLoop(ctx) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); o.gatherLoop(ctx) }()
	wg.Wait()
	return nil
}

func (o *Overlay) connectBootstrap(ctx context.Context) {
	for _, ai := range o.cfg.Bootstrap {
		if ai.ID == o.ID() {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := o.host.Connect(cctx, ai); err != nil {
			o.log.Debug("bootstrap peer unreachable", "peer", ai.ID, "err", err)
		}
		cancel()
	}
	if err := o.dht.Bootstrap(ctx); err != nil {
		o.log.Debug("dht bootstrap", "err", err)
	}
}
