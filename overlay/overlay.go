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
	"github.com/libp2p/go-libp2p/core/peerstore"
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
	// ClientOnly nodes (stealth workers) listen nowhere, publish nothing, run
	// no DHT and dial only their bootstrap peers and entry guards, from whom
	// they fetch the directory over DirProtocol (see SetGuards).
	ClientOnly bool
	// TorTransport, for a client-only node, is overlay/tor's transport
	// constructor: every link then goes through Tor (host_tor.go).
	TorTransport any
	// LinksDown, with TorTransport, reports that the transport itself is
	// down (this node's tor is starting, restarting or gone): a guard it
	// cannot reach then is not the guard's fault and is not marked.
	LinksDown func() bool
	// GuardFailed, for a client-only node, hears that this node could not
	// fetch the directory from entry guard p itself (a first-hand
	// failure; not called while LinksDown) and calls SetGuards with the
	// guards usable after it, before it returns: the node's guard policy
	// (Guards.Unreachable, GuardRules.Hold) decides who is asked next.
	GuardFailed func(p peer.ID)

	DescriptorLifetime time.Duration // 0 = 3h
	RepublishEvery     time.Duration // 0 = DescriptorLifetime/3
	GatherEvery        time.Duration // 0 = 2m; how often the directory looks for new relays
	RefreshEvery       time.Duration // 0 = DescriptorLifetime/3; how often held descriptors are re-read

	// PoWBits is the network's proof-of-work difficulty per relay identity
	// (pow.go); 0 = DefaultPoWBits. Every node of a network must agree.
	PoWBits uint8
	// Directory bounds the relay directory; its PoWBits and
	// LoopbackDistinct are taken from PoWBits and Rules.
	Directory DirectoryPolicy

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
	if c.ClientOnly && len(c.Listen) > 0 {
		return errors.New("overlay: Config.Listen must be empty for a client-only node")
	}
	if c.TorTransport != nil && !c.ClientOnly {
		return errors.New("overlay: Config.TorTransport is for client-only nodes")
	}
	if c.PoWBits > MaxPoWBits {
		return fmt.Errorf("overlay: Config.PoWBits above %d", MaxPoWBits)
	}
	if c.DescriptorLifetime > MaxDescriptorLifetime {
		return fmt.Errorf("overlay: Config.DescriptorLifetime above %v", MaxDescriptorLifetime)
	}
	return nil
}

// Overlay is a running libp2p host with its DHT and relay directory.
type Overlay struct {
	cfg   Config
	host  host.Host
	dht   *dht.IpfsDHT
	hsdir hsdirServed // hsdir_service.go
	dir   *Directory
	log   *slog.Logger

	gater    *clientGater  // client-only nodes; nil otherwise
	tor      torHook       // host_tor.go
	measured *Measurements // what relays carried for this node's circuits

	mu      sync.Mutex
	lastSeq uint64
	onion   [32]byte
	guards  []peer.ID   // client-only: directory sources once chosen
	self    *Descriptor // last descriptor published, served with the directory
}

// New starts the host and the DHT. It does not contact anyone yet: Run
// bootstraps, publishes and gathers.
func New(cfg Config) (*Overlay, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var gater *clientGater
	if cfg.ClientOnly {
		gater = newClientGater(bootstrapIDs(cfg.Bootstrap))
	}
	tor := torHook{transport: cfg.TorTransport, onion: &announced{}}
	h, err := newHost(cfg.Identity, cfg.Listen, cfg.Limits, gater, tor)
	if err != nil {
		return nil, err
	}
	dir := NewDirectory(cfg.Now)
	policy := cfg.Directory
	policy.PoWBits, policy.LoopbackDistinct = cfg.PoWBits, cfg.Rules.LoopbackDistinct
	dir.SetPolicy(policy)
	o := &Overlay{cfg: cfg, host: h, dir: dir, log: cfg.Logger, onion: cfg.OnionKey, gater: gater, tor: tor,
		measured: NewMeasurements(cfg.Now)}
	if gater != nil {
		gater.deny = o.confinedDeny
	}
	if cfg.ClientOnly {
		return o, nil
	}
	h.SetStreamHandler(DirProtocol, o.serveDirectory)
	kad, err := dht.New(h,
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(DHTPrefix),
		dht.Validator(record.NamespacedValidator{DescriptorNamespace: Validator{Now: cfg.Now, PoWBits: cfg.PoWBits},
			HSDescNamespace: HSDirValidator{Now: cfg.Now}}), // hidden-service descriptors: hsdir_service.go
		dht.BootstrapPeers(cfg.Bootstrap...),
		dht.MaxRecordAge(MaxDescriptorLifetime),
	)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("overlay: start dht: %w", err)
	}
	o.dht = kad
	return o, nil
}

func bootstrapIDs(ais []peer.AddrInfo) []peer.ID {
	ids := make([]peer.ID, 0, len(ais))
	for _, ai := range ais {
		ids = append(ids, ai.ID)
	}
	return ids
}

// SetGuards tells a client-only node its usable entry guards: from then on
// it dials only them and fetches the directory from them; its bootstrap
// peers are contacted again only when it is told an empty list (no guard
// usable). On other nodes it does nothing.
func (o *Overlay) SetGuards(guards []peer.ID) {
	if o.gater == nil {
		return
	}
	o.mu.Lock()
	o.guards = append([]peer.ID(nil), guards...)
	o.mu.Unlock()
	if len(guards) == 0 {
		guards = bootstrapIDs(o.cfg.Bootstrap)
	}
	o.gater.set(guards)
}

// confinedDeny: a confined client never connects to a node the directory
// lists as a gateway or market, whatever it was told: those are the
// parties that must not learn where it is (DESIGN.md section 9).
func (o *Overlay) confinedDeny(p peer.ID) bool {
	d, ok := o.dir.Get(p)
	return ok && d.Roles&(RoleGateway|RoleMarket) != 0
}

// ClientOnly reports whether this node is a confined client (stealth).
func (o *Overlay) ClientOnly() bool { return o.cfg.ClientOnly }

// Host is the libp2p host, for protocols layered on the overlay.
func (o *Overlay) Host() host.Host { return o.host }

// ID is this node's peer ID.
func (o *Overlay) ID() peer.ID { return o.host.ID() }

// Addrs are the addresses the host listens on.
func (o *Overlay) Addrs() []ma.Multiaddr { return o.host.Addrs() }

// Directory is the cache of verified relay descriptors.
func (o *Overlay) Directory() *Directory { return o.dir }

// RoutingTableSize is the number of peers in the DHT routing table (0 for
// client-only nodes, which run no DHT).
func (o *Overlay) RoutingTableSize() int {
	if o.dht == nil {
		return 0
	}
	return o.dht.RoutingTable().Size()
}

// SetOnionKey changes the onion key announced from the next publication on.
func (o *Overlay) SetOnionKey(k [32]byte) {
	o.mu.Lock()
	o.onion = k
	o.mu.Unlock()
}

// Close stops the DHT and the host.
func (o *Overlay) Close() error {
	var err error
	if o.dht != nil {
		err = o.dht.Close()
	}
	return errors.Join(err, o.host.Close())
}

// Run connects to the bootstrap peers, then keeps the descriptor published
// and the directory gathered until ctx ends.
func (o *Overlay) Run(ctx context.Context) error {
	if o.cfg.ClientOnly { // a confined client dials its sources only to fetch the directory
		for _, ai := range o.cfg.Bootstrap {
			o.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.PermanentAddrTTL)
		}
	} else {
		o.connectBootstrap(ctx)
	}
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
			// libp2p's dial errors list addresses: name the peer only.
			o.log.Debug("bootstrap peer unreachable", "peer", ai.ID)
		}
		cancel()
	}
	if o.dht == nil {
		return
	}
	if err := o.dht.Bootstrap(ctx); err != nil {
		o.log.Debug("dht bootstrap failed")
	}
}
