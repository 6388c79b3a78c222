package overlay

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Onion defaults.
const (
	DefaultKeepalive          = 10 * time.Second
	DefaultMaxCircuitsPerLink = 512
	DefaultMaxClientCircuits  = 256
	DefaultClientIdle         = 5 * time.Minute
	expireEvery               = 10 * time.Second
)

// OnionConfig configures the onion routing side of a node. Keys is
// required; every zero field means its default.
type OnionConfig struct {
	// Keys are the onion keys the relay answers handshakes for: the current
	// key first, then the previous one during its week of overlap.
	Keys []*onion.OnionKey
	// AcceptStreams makes this node a destination (role gateway): circuits
	// may end here and open streams to services registered with Handle.
	AcceptStreams      bool
	MaxCircuitsPerLink int           // circuits one neighbour may create here; 0 = 512
	MaxClientCircuits  int           // circuits this node may hold as a client; 0 = 256
	RelayIdle          time.Duration // idle relayed circuit expiry; 0 = onion's 10 min
	ClientIdle         time.Duration // idle client circuit (no stream) expiry; 0 = 5 min
	Keepalive          time.Duration // link padding interval; dead after 3×; 0 = 10 s
	// RelayRate caps the bytes per second of cells this node's relay
	// handles for other nodes' circuits; 0 = no cap. It can only lower the
	// node's relay share: every node relays.
	RelayRate uint64
	// Limits are the relay's flood defences (relaylimits.go).
	Limits RelayLimits
	Rand   io.Reader        // nil = crypto/rand
	Logger *slog.Logger     // nil = silent
	Clock  func() time.Time // nil = time.Now; tests inject one
}

// TamperFunc sees every cell a node reads from a link, before it is handled,
// and may modify it. Only tests install one (SetTamperHook).
type TamperFunc func(from peer.ID, cell *onion.Cell)

// Onion runs onion routing on an Overlay's host: the links to neighbours,
// the relay that forwards (and, on gateways, ends) other nodes' circuits,
// this node's client circuits, and the streams on both. One mutex guards
// the sans-IO state (onion.Relay and onion.ClientCircuit are not safe for
// concurrent use); link writers and stream buffers have their own locks.
type Onion struct {
	ov   *Overlay
	cfg  OnionConfig
	log  *slog.Logger
	pace *relayLimiter

	mu      sync.Mutex
	relay   *onion.Relay
	links   map[onion.LinkID]*link
	byPeer  map[peer.ID]*link
	dialing map[peer.ID]chan struct{}
	// retireGrace: how long a retiring link takes CREATEs (linkpair.go)
	retireGrace time.Duration
	nextLink    onion.LinkID
	clients     map[onion.CircRef]*Circuit
	relayed     map[onion.CircRef]*relayedCirc
	dest        map[onion.CircRef]map[uint16]*Stream
	services    map[string]func(net.Conn)
	builds      buildTimes
	down        map[peer.ID]time.Time // relays found unreachable (down.go)
	acts        []onion.Action
	cells       []onion.Cell
	touched     []*link   // links with cells queued under the lock; see unlock
	now         time.Time // of the batch of cells being handled
	closed      bool
	hsRelay     *hsRelay // hidden-service tables (relay_hs.go), made on first use

	// flood defences: relaylimits.go, createpool.go, linkqueue.go
	hs          onion.Handshaker
	pool        *createPool
	limiter     *createLimiter
	perPeer     map[peer.ID]int // circuits (and pending CREATEs) per neighbour
	defence     RelayDefenceCounters
	budgetCells int64
	seq         uint64 // order of queued cells, for the OOM killer
	shedDue     bool
	overruns    []overrun
	lookups     int                            // descriptor lookups in flight for EXTENDs
	lookup      func(context.Context, peer.ID) // nil without a DHT; tests replace it
	queued      atomic.Int64
	creating    sync.WaitGroup // CREATEs queued or in a handshake worker

	tamper       atomic.Pointer[TamperFunc]
	relayedBytes atomic.Uint64 // cell bytes handled for others (RelayedBytes)
}

// NewOnion starts onion routing on ov: it registers the link protocol, so
// neighbours may open links and build circuits through this node at once.
func NewOnion(ov *Overlay, cfg OnionConfig) (*Onion, error) {
	if len(cfg.Keys) == 0 || len(cfg.Keys) > 2 {
		return nil, fmt.Errorf("overlay: OnionConfig.Keys: want 1 or 2 onion keys, got %d", len(cfg.Keys))
	}
	cfg.setDefaults()
	relay, err := onion.NewRelay(onion.RelayConfig{
		Identity: []byte(ov.ID()), OnionKeys: cfg.Keys, Rand: cfg.Rand,
		MaxCircuitsPerLink: cfg.MaxCircuitsPerLink, IdleTimeout: cfg.RelayIdle,
		AcceptStreams: cfg.AcceptStreams, MaxCircuits: cfg.Limits.MaxCircuits,
	})
	if err != nil {
		return nil, fmt.Errorf("overlay: onion relay: %w", err)
	}
	o := &Onion{
		ov: ov, cfg: cfg, log: cfg.Logger, pace: newRelayLimiter(cfg.RelayRate, cfg.Clock, nil), relay: relay,
		links: map[onion.LinkID]*link{}, byPeer: map[peer.ID]*link{}, dialing: map[peer.ID]chan struct{}{}, retireGrace: defaultRetireGrace,
		clients: map[onion.CircRef]*Circuit{}, relayed: map[onion.CircRef]*relayedCirc{},
		dest: map[onion.CircRef]map[uint16]*Stream{}, services: map[string]func(net.Conn){},
		hs: relay.Handshaker(), perPeer: map[peer.ID]int{},
		budgetCells: cfg.Limits.QueueBudget / onion.CellSize,
	}
	if ov.dht != nil {
		o.lookup = func(ctx context.Context, p peer.ID) { ov.fetch(ctx, p) }
	}
	o.limiter = newCreateLimiter(&o.cfg.Limits)
	o.pool = newCreatePool(o)
	ov.host.SetStreamHandler(OnionProtocol, o.accept)
	return o, nil
}

func (c *OnionConfig) setDefaults() {
	if c.MaxCircuitsPerLink <= 0 {
		c.MaxCircuitsPerLink = DefaultMaxCircuitsPerLink
	}
	if c.MaxClientCircuits <= 0 {
		c.MaxClientCircuits = DefaultMaxClientCircuits
	}
	if c.ClientIdle <= 0 {
		c.ClientIdle = DefaultClientIdle
	}
	if c.Keepalive <= 0 {
		c.Keepalive = DefaultKeepalive
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	c.Limits.setDefaults()
}

// clock is the Onion's time source.
func (o *Onion) clock() time.Time { return o.cfg.Clock() }

// SetKeys replaces the onion keys after a rotation: the relay answers
// handshakes for current and previous (nil for none) from now on, and
// forgets the replay entries of the key it retires. A nil current key
// leaves the keys unchanged.
func (o *Onion) SetKeys(current, previous *onion.OnionKey) {
	o.mu.Lock()
	defer o.unlock()
	if err := o.relay.SetOnionKeys(current, previous); err != nil {
		o.log.Warn("onion keys not replaced", "err", err)
	}
	o.hs = o.relay.Handshaker()
}

// UnexpectedCells counts the cells this node's relay refused as out of
// place (each closed its circuit; onion.Relay.UnexpectedCells). A client
// circuit closed the same way fails with an error wrapping
// onion.ErrUnexpectedCell.
func (o *Onion) UnexpectedCells() uint64 {
	o.mu.Lock()
	defer o.unlock()
	return o.relay.UnexpectedCells()
}

// SetTamperHook installs f (nil removes it). Tests only: it lets a test
// play a malicious relay that modifies cells in flight.
func (o *Onion) SetTamperHook(f TamperFunc) {
	if f == nil {
		o.tamper.Store(nil)
		return
	}
	o.tamper.Store(&f)
}

// Handle registers a service that streams ending at this node may open by
// name (gateways only: other nodes refuse every BEGIN). h runs in its own
// goroutine per stream and owns the conn; its RemoteAddr names only the
// last relay of the circuit.
func (o *Onion) Handle(name string, h func(net.Conn)) {
	o.mu.Lock()
	o.services[name] = h
	o.unlock()
}

// Run expires idle circuits until ctx ends.
func (o *Onion) Run(ctx context.Context) {
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			o.expire(now)
		}
	}
}

// Close tears down every link and circuit; streams fail with ErrOnionClosed.
func (o *Onion) Close() error {
	o.ov.host.RemoveStreamHandler(OnionProtocol)
	o.mu.Lock()
	o.closed = true
	links := make([]*link, 0, len(o.links))
	for _, l := range o.links {
		links = append(links, l)
	}
	for _, c := range o.clients {
		o.failCircuit(c, ErrOnionClosed)
	}
	o.unlock()
	o.pool.once.Do(func() { close(o.pool.stop) })
	for _, l := range links {
		l.kill()
	}
	return nil
}

// unlock releases o.mu and then wakes the writers of the links that got
// cells meanwhile, so each writer sends a whole batch at once.
func (o *Onion) unlock() {
	if o.shedDue || len(o.overruns) > 0 {
		o.shed()
	}
	touched := o.touched
	for _, l := range touched {
		l.touched = false
	}
	o.touched = nil
	o.mu.Unlock()
	for _, l := range touched {
		l.flush()
	}
}

// accept registers a link a neighbour opened.
func (o *Onion) accept(s network.Stream) {
	o.mu.Lock()
	defer o.unlock()
	if o.closed {
		_ = s.Reset()
		return
	}
	o.admitLink(s, false) // linkpair.go
}

// linksOf counts the links with p; o.mu held.
func (o *Onion) linksOf(p peer.ID) int {
	n := 0
	for _, l := range o.links {
		if l.peer == p {
			n++
		}
	}
	return n
}

// addLink registers and starts a link; o.mu held.
func (o *Onion) addLink(s network.Stream, weDialed bool) *link {
	o.nextLink++
	l := newLink(o, o.nextLink, s, weDialed)
	o.links[l.id] = l
	if _, ok := o.byPeer[l.peer]; !ok {
		o.byPeer[l.peer] = l
	}
	l.start()
	return l
}
